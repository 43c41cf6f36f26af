import { Get, Query } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import type { AlertsConfig } from '../../../../shared/config/alerts.config.js';
import { ListEntityTypesQuery } from '../../../tds/public.js';
import type { EntityTypeStatusDto } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { healthThresholds } from '../../domain/health-state.js';
import type { HealthThresholds } from '../../domain/health-state.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { NoQueryParamsPipe } from '../../http/no-query-params.pipe.js';
import { EntityTypeListDto, toEntityTypeSummary } from '../../views/entity-type-summary.dto.js';

@BffController()
export class BffListEntitiesController {
  private readonly thresholds: HealthThresholds;

  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
    config: ConfigService,
  ) {
    this.thresholds = healthThresholds(config.getOrThrow<AlertsConfig>('alerts').rules);
  }

  @Get('entities')
  @Roles('viewer')
  @ApiOperation({ summary: 'Per entity type: mirrored records, last successful sync, lag, pending, failures and success rate of 24 h, state' })
  @ApiResponse({ status: 200, type: EntityTypeListDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: a query parameter (this route takes none)' })
  list(@Query(NoQueryParamsPipe) _query: unknown): Promise<EntityTypeListDto> {
    return this.cache.read('entities', { list: true }, async () => {
      const types = await this.queryBus.execute<ListEntityTypesQuery, EntityTypeStatusDto[]>(new ListEntityTypesQuery());
      return { items: types.map((type) => toEntityTypeSummary(type, this.thresholds)) };
    });
  }
}
