import { Body, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ReplayDeadLetterSelectionCommand, ReplayDeadLettersDto, ReplayDeadLettersResponseDto } from '../../../tds/public.js';
import type { DeadLetterSelection, ReplaySelectionResult } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffActionResponses, BffController } from '../../http/bff-routes.js';

@BffController()
export class BffReplayDeadLettersController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly cache: BffCache,
  ) {}

  @Post('dead-letter/replay')
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary: 'Queue dead letters again as one replay run: by ids (1..1000), or the oldest open ones matching a filter (1000 per call)',
    description: 'An id that is unknown or no longer open is reported in skipped, not refused; more: the filter matched more, call again.',
  })
  @ApiBody({
    type: ReplayDeadLettersDto,
    examples: {
      byIds: { summary: 'These dead letters', value: { ids: [41, 42] } },
      byFilter: { summary: 'The open ones matching a filter', value: { filter: { entityType: 'product', errorCode: 'VALIDATION_FAILED' } } },
    },
  })
  @ApiResponse({ status: 202, type: ReplayDeadLettersResponseDto })
  @BffActionResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: both or neither of ids and filter, or a malformed one' })
  async replay(@Body() body: ReplayDeadLettersDto, @CurrentPrincipal() principal: Principal): Promise<ReplayDeadLettersResponseDto> {
    const result: ReplaySelectionResult = await this.commandBus.execute(
      new ReplayDeadLetterSelectionCommand(body as DeadLetterSelection, actorOf(principal)),
    );
    // A replay closes dead letters, queues items (the entities' backlog) and opens a run.
    await this.cache.invalidate(['deadLetters', 'entities', 'runs', 'dashboard']);
    return result;
  }
}
