import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { actorOf } from '../../../../shared/auth/actor.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { ResolveDeadLetterCommand } from './resolve-dead-letter.command.js';
import type { ResolveDeadLetterResult } from './resolve-dead-letter.command.js';
import { ResolveDeadLetterDto, ResolveDeadLetterResponseDto } from './resolve-dead-letter.dto.js';

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('api/tds/dead-letter')
export class ResolveDeadLetterController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Close a dead letter with a note, without replaying it' })
  @ApiResponse({ status: 200, type: ResolveDeadLetterResponseDto })
  @ApiResponse({ status: 404, description: 'DEAD_LETTER.NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'DEAD_LETTER.ALREADY_RESOLVED' })
  @ApiResponse({
    status: 422,
    description: 'VALIDATION_FAILED: the id is not a positive integer, or the note is missing, longer than 2,000 characters or holds control characters (tab and line breaks are fine)',
  })
  resolve(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: ResolveDeadLetterDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResolveDeadLetterResult> {
    return this.commandBus.execute(new ResolveDeadLetterCommand(id, actorOf(principal), body.note));
  }
}
