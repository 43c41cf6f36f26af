import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DEFAULT_PAGE_SIZE } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { ListSyncRunsParamsDto, SyncRunPageDto } from './list-sync-runs.dto.js';
import { ListSyncRunsQuery } from './list-sync-runs.query.js';
import type { SyncRunPage } from './list-sync-runs.query.js';

@ApiTags('sync runs')
@ApiBearerAuth()
@Controller('api/tds/sync-runs')
export class ListSyncRunsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Sync runs, newest first, a keyset page at a time: filter by status, kind, entity type, start time' })
  @ApiResponse({ status: 200, type: SyncRunPageDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: a bad filter, limit or cursor, or an unknown parameter' })
  list(@Query() params: ListSyncRunsParamsDto): Promise<SyncRunPage> {
    return this.queryBus.execute(new ListSyncRunsQuery({ ...params, limit: params.limit ?? DEFAULT_PAGE_SIZE }));
  }
}
