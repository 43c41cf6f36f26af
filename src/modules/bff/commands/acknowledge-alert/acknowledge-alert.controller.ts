import { HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { AcknowledgeAlertCommand } from '../../../tds/public.js';
import type { AlertView } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffActionResponses, BffController } from '../../http/bff-routes.js';
import { BffAlertDto, toAlert } from '../../views/alert.dto.js';

@BffController()
export class BffAcknowledgeAlertController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly cache: BffCache,
  ) {}

  @Post('alerts/:id/acknowledge')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Acknowledge an alert (records who and when); again: the same alert, the first acknowledgement kept',
    description: 'Takes no body. The next read of the alerts and the dashboard shows it.',
  })
  @ApiParam({ name: 'id', type: 'integer', description: 'Alert id', example: 7 })
  @ApiResponse({ status: 200, type: BffAlertDto })
  @BffActionResponses()
  @ApiResponse({ status: 404, description: 'ALERT.NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'ALERT.ALREADY_RESOLVED: a resolved alert cannot be acknowledged' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  async acknowledge(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<BffAlertDto> {
    const alert = await this.commandBus.execute<AcknowledgeAlertCommand, AlertView>(new AcknowledgeAlertCommand(id, actorOf(principal)));
    // Before answering: a client that reloads at once must see its own action.
    await this.cache.invalidate(['alerts', 'dashboard']);
    return toAlert(alert);
  }
}
