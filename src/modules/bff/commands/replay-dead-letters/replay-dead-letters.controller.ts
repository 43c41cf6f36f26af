import { Body, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation } from '@nestjs/swagger';
import { actorOf } from '../../../../shared/auth/actor.js';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ReplayDeadLetterSelectionCommand, ReplayDeadLettersDocs, ReplayDeadLettersDto } from '../../../tds/public.js';
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
  @ReplayDeadLettersDocs()
  @BffActionResponses()
  async replay(@Body() body: ReplayDeadLettersDto, @CurrentPrincipal() principal: Principal): Promise<ReplaySelectionResult> {
    const result: ReplaySelectionResult = await this.commandBus.execute(
      new ReplayDeadLetterSelectionCommand(body as DeadLetterSelection, actorOf(principal)),
    );
    // A replay closes dead letters, queues items (the entities' backlog) and opens a run.
    await this.cache.invalidate(['deadLetters', 'entities', 'runs', 'dashboard']);
    return result;
  }
}
