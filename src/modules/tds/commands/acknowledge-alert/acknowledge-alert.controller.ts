import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { AlertDto } from '../../queries/list-alerts/list-alerts.dto.js';
import { AcknowledgeAlertCommand } from './acknowledge-alert.command.js';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/tds/alerts')
export class AcknowledgeAlertController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Acknowledge an active alert: it stops notifying again, and still resolves by itself when its condition clears',
    description: 'Records who and when. Acknowledging an acknowledged alert again returns it unchanged (the first acknowledgement stays).',
  })
  @ApiParam({ name: 'id', type: 'integer', description: 'Alert id' })
  @ApiResponse({ status: 200, type: AlertDto, description: 'The alert, acknowledged' })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: operator or higher is needed' })
  @ApiResponse({ status: 404, description: 'ALERT.NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'ALERT.ALREADY_RESOLVED: a resolved alert cannot be acknowledged' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  acknowledge(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<AlertDto> {
    return this.commandBus.execute(new AcknowledgeAlertCommand(id, actorOf(principal)));
  }
}
