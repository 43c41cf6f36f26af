import { Query } from '@nestjs/cqrs';
import type { QueueStatsDto } from './get-queue-stats.dto.js';

export class GetQueueStatsQuery extends Query<QueueStatsDto> {}
