import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';
import { StartPullRunCommand } from './start-pull-run.command.js';
import { StartPullRunDto } from './start-pull-run.dto.js';

@ApiTags('sync runs')
@ApiBearerAuth()
@Controller('api/tds/sync-runs')
export class StartPullRunController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary: 'Start pulling an entity type from Zoho',
    description:
      'Creates a pull run at once; an instance takes its lease and fetches it page by page (GET /api/tds/sync-runs/:id ' +
      'shows pages, records and an estimated percentage while it goes). Pulled records go through the same validation and ' +
      'idempotency as webhook deliveries, so a record delivered both ways is applied once. `incremental` reads what changed ' +
      'since the cursor (less TDS_PULL_OVERLAP_S), `full` everything.',
  })
  @ApiResponse({ status: 202, type: SyncRunDto, description: 'The run, started' })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: operator or higher is needed' })
  @ApiResponse({ status: 404, description: 'SOURCE.ACCOUNT_NOT_FOUND: no Zoho account pulls into that source, or not the one named' })
  @ApiResponse({
    status: 409,
    description:
      'SYNC_RUN.PULL_IN_PROGRESS: a run of this source, account and entity type is still fetching (details.syncRunId); ' +
      'SOURCE.ACCOUNT_REQUIRED: the source has several accounts',
  })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: source, entityType, mode or account is not acceptable' })
  start(@Body() body: StartPullRunDto): Promise<SyncRunDto> {
    return this.commandBus.execute(new StartPullRunCommand(body.source, body.entityType, body.mode, body.account));
  }
}
