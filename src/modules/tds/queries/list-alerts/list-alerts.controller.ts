import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DEFAULT_PAGE_SIZE } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { AlertPageDto, ListAlertsParamsDto } from './list-alerts.dto.js';
import { ListAlertsQuery } from './list-alerts.query.js';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/tds/alerts')
export class ListAlertsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    summary: 'Alerts, newest first, keyset-paginated; filter by severity, status, entity type',
    description: 'Alerts raised while paging come before the first page, so following nextCursor neither skips nor repeats one.',
  })
  @ApiResponse({ status: 200, type: AlertPageDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() { severity, status, entityType, cursor, limit }: ListAlertsParamsDto): Promise<AlertPageDto> {
    return this.queryBus.execute(new ListAlertsQuery({ severity, status, entityType, cursor, limit: limit ?? DEFAULT_PAGE_SIZE }));
  }
}
