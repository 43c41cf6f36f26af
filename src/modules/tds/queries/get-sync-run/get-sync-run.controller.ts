import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { SyncRunDto } from './get-sync-run.dto.js';
import { GetSyncRunQuery } from './get-sync-run.query.js';

@ApiTags('sync runs')
@ApiBearerAuth()
@Controller('api/tds/sync-runs')
export class GetSyncRunController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One sync run (bulk enqueue, pull or replay): status, counters, progress, duration' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Sync run id' })
  @ApiResponse({ status: 200, type: SyncRunDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 404, description: 'SYNC_RUN.NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  get(@Param('id', ParseIdPipe) id: number): Promise<SyncRunDto> {
    return this.queryBus.execute(new GetSyncRunQuery(id));
  }
}
