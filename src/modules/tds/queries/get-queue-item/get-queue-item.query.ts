import { Query } from '@nestjs/cqrs';
import type { QueueItemDto } from './get-queue-item.dto.js';

export class GetQueueItemQuery extends Query<QueueItemDto> {
  constructor(readonly id: number) {
    super();
  }
}
