import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DEFAULT_PAGE_SIZE } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { ListSyncRunsParamsDto, ListSyncRunsQuery } from '../../../tds/public.js';
import type { SyncRunPage } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { RunPageDto, toRunSummary } from '../../views/run-summary.dto.js';

@BffController()
export class BffListSyncRunsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('sync-runs')
  @Roles('viewer')
  @ApiOperation({ summary: 'Sync runs, newest first, a keyset page at a time, with progress %, success rate and duration' })
  @ApiResponse({ status: 200, type: RunPageDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() { status, kind, entityType, since, cursor, limit }: ListSyncRunsParamsDto): Promise<RunPageDto> {
    const params = { status, kind, entityType, since, cursor, limit: limit ?? DEFAULT_PAGE_SIZE };
    return this.cache.read('runs', { list: params }, async () => {
      const page = await this.queryBus.execute<ListSyncRunsQuery, SyncRunPage>(new ListSyncRunsQuery(params));
      return { items: page.items.map(toRunSummary), nextCursor: page.nextCursor };
    });
  }
}
