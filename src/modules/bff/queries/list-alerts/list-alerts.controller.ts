import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DEFAULT_PAGE_SIZE } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { ListAlertsQuery } from '../../../tds/public.js';
import type { AlertPage } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { BffAlertPageDto, toAlert } from '../../views/alert.dto.js';
import { BffListAlertsParamsDto } from './list-alerts.dto.js';

@BffController()
export class BffListAlertsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('alerts')
  @Roles('viewer')
  @ApiOperation({ summary: 'Alerts, newest first, keyset-paginated; filter by severity, status (open: active or acknowledged), entity type' })
  @ApiResponse({ status: 200, type: BffAlertPageDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() { severity, status, entityType, cursor, limit }: BffListAlertsParamsDto): Promise<BffAlertPageDto> {
    const params = { severity, status, entityType, cursor, limit: limit ?? DEFAULT_PAGE_SIZE };
    return this.cache.read('alerts', params, async () => {
      const page = await this.queryBus.execute<ListAlertsQuery, AlertPage>(new ListAlertsQuery(params));
      return { items: page.items.map(toAlert), nextCursor: page.nextCursor };
    });
  }
}
