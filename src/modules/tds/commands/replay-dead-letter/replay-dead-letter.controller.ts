import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { actorOf } from '../../../../shared/auth/actor.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { ReplayDeadLetterCommand } from './replay-dead-letter.command.js';
import type { ReplayDeadLetterResult } from './replay-dead-letter.command.js';

class ReplayDeadLetterResponseDto {
  @ApiProperty() deadLetterId!: number;
  @ApiProperty({ description: 'The new queue item' }) queueItemId!: number;
  @ApiProperty({ format: 'date-time' }) replayedAt!: string;
}

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('api/tds/dead-letter')
export class ReplayDeadLetterController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/replay')
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({ summary: 'Queue a dead letter again as a new item with fresh attempts' })
  @ApiResponse({ status: 202, type: ReplayDeadLetterResponseDto })
  @ApiResponse({ status: 404, description: 'DEAD_LETTER.NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'DEAD_LETTER.ALREADY_REPLAYED or DEAD_LETTER.ALREADY_RESOLVED' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  replay(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<ReplayDeadLetterResult> {
    return this.commandBus.execute(new ReplayDeadLetterCommand(id, actorOf(principal)));
  }
}
