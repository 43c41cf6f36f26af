import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { ResolveDeadLetterCommand, ResolveDeadLetterDto, ResolveDeadLetterResponseDto } from '../../../tds/public.js';
import type { ResolveDeadLetterResult } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffActionResponses, BffController } from '../../http/bff-routes.js';

@BffController()
export class BffResolveDeadLetterController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly cache: BffCache,
  ) {}

  @Post('dead-letter/:id/resolve')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Close a dead letter with a note, without replaying it' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Dead letter id', example: 41 })
  @ApiResponse({ status: 200, type: ResolveDeadLetterResponseDto })
  @BffActionResponses()
  @ApiResponse({ status: 404, description: 'DEAD_LETTER.NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'DEAD_LETTER.ALREADY_RESOLVED' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer, or the note is missing, too long or holds control characters' })
  async resolve(
    @Param('id', ParseIdPipe) id: number,
    @Body() { note }: ResolveDeadLetterDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResolveDeadLetterResult> {
    const result = await this.commandBus.execute<ResolveDeadLetterCommand, ResolveDeadLetterResult>(
      new ResolveDeadLetterCommand(id, actorOf(principal), note),
    );
    // TDS publishes no event for a resolve: this is the only invalidation it gets.
    await this.cache.invalidate(['deadLetters', 'entities', 'dashboard']);
    return result;
  }
}
