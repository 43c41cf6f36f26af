import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';
import { CancelSyncRunCommand } from './cancel-sync-run.command.js';

@ApiTags('sync runs')
@ApiBearerAuth()
@Controller('api/tds/sync-runs')
export class CancelSyncRunController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Cancel a pending or running sync run',
    description:
      'Its open items become cancelled (counted as skipped). A worker batch applying items of the run right now is ' +
      'waited for: what it finishes is counted, what it leaves open is cancelled. Cancelling a cancelled run again ' +
      'returns it unchanged.',
  })
  @ApiParam({ name: 'id', type: 'integer', description: 'Sync run id' })
  @ApiResponse({ status: 200, type: SyncRunDto, description: 'The run, cancelled' })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: operator or higher is needed' })
  @ApiResponse({ status: 404, description: 'SYNC_RUN.NOT_FOUND' })
  @ApiResponse({
    status: 409,
    description:
      'SYNC_RUN.NOT_CANCELLABLE: the run has finished (completed, partial or failed); ' +
      'SYNC_RUN.WEBHOOK_NOT_CANCELLABLE: a webhook run (one source and hour of deliveries) is never cancelled',
  })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  cancel(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<SyncRunDto> {
    return this.commandBus.execute(new CancelSyncRunCommand(id, actorOf(principal)));
  }
}
