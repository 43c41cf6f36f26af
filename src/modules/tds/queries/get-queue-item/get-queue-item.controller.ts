import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { QueueItemDto } from './get-queue-item.dto.js';
import { GetQueueItemQuery } from './get-queue-item.query.js';

@ApiTags('queue')
@ApiBearerAuth()
@Controller('api/tds/queue')
export class GetQueueItemController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One queue item: status, attempts, last error, applied version' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Queue item id' })
  @ApiResponse({ status: 200, type: QueueItemDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 404, description: 'QUEUE.ITEM_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  get(@Param('id', ParseIdPipe) id: number): Promise<QueueItemDto> {
    return this.queryBus.execute(new GetQueueItemQuery(id));
  }
}
