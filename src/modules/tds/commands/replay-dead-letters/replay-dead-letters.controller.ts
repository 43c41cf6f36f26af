import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ReplayDeadLetterSelectionCommand } from './replay-dead-letter-selection.command.js';
import type { DeadLetterSelection, ReplaySelectionResult } from './replay-dead-letter-selection.command.js';
import { ReplayDeadLettersDocs, ReplayDeadLettersDto } from './replay-dead-letters.dto.js';

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('api/tds/dead-letter')
export class ReplayDeadLettersController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('replay')
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary: 'Queue many dead letters again, as one replay sync run',
    description:
      'By ids (1..1000) or by filter (the oldest open dead letters matching it, at most 1000 per call). ' +
      'An id that is unknown or no longer open is reported in skipped, not refused.',
  })
  @ReplayDeadLettersDocs()
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: operator or higher is needed' })
  replay(@Body() body: ReplayDeadLettersDto, @CurrentPrincipal() principal: Principal): Promise<ReplaySelectionResult> {
    return this.commandBus.execute(new ReplayDeadLetterSelectionCommand(body as DeadLetterSelection, actorOf(principal)));
  }
}
