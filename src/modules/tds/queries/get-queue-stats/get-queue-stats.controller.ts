import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { QueueStatsDto } from './get-queue-stats.dto.js';
import { GetQueueStatsQuery } from './get-queue-stats.query.js';

/** `stats` is a static path: Fastify's router matches it before the `:id` route of GetQueueItemController. */
@ApiTags('queue')
@ApiBearerAuth()
@Controller('api/tds/queue')
export class GetQueueStatsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('stats')
  @Roles('viewer')
  @ApiOperation({ summary: 'Queue counts per status, due-now count and the age of the oldest pending item' })
  @ApiResponse({ status: 200, type: QueueStatsDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  get(): Promise<QueueStatsDto> {
    return this.queryBus.execute(new GetQueueStatsQuery());
  }
}
