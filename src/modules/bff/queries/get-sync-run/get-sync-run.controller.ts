import { Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { GetSyncRunErrorsQuery, GetSyncRunQuery } from '../../../tds/public.js';
import type { SyncRunDto, SyncRunErrorCount } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { RunDetailDto, toRunDetail } from '../../views/run-summary.dto.js';

@BffController()
export class BffGetSyncRunController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('sync-runs/:id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One sync run: progress %, success rate, duration ("2m 15s"), failures by error code' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Sync run id', example: 17 })
  @ApiResponse({ status: 200, type: RunDetailDto })
  @BffReadResponses()
  @ApiResponse({ status: 404, description: 'SYNC_RUN.NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  get(@Param('id', ParseIdPipe) id: number): Promise<RunDetailDto> {
    return this.cache.read('runs', { run: id }, async () => {
      const [run, errors] = await Promise.all([
        this.queryBus.execute<GetSyncRunQuery, SyncRunDto>(new GetSyncRunQuery(id)),
        this.queryBus.execute<GetSyncRunErrorsQuery, SyncRunErrorCount[]>(new GetSyncRunErrorsQuery(id)),
      ]);
      return toRunDetail(run, errors);
    });
  }
}
