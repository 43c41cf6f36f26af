import { ApiProperty } from '@nestjs/swagger';
import type { QueueStatus } from '../../domain/queue-item.js';

export class QueueStatsDto {
  @ApiProperty({
    description: 'Items per status; every status is present',
    example: { pending: 12, processing: 0, completed: 5400, retry: 2, dead_letter: 1, superseded: 40, unchanged: 7, cancelled: 0 },
  })
  byStatus: Record<QueueStatus, number>;

  @ApiProperty({ description: 'Pending or retry items whose next attempt is due now', example: 12 })
  dueNow: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Age in seconds of the oldest pending item (database clock); null when none is pending',
    example: 3.2,
  })
  oldestPendingAgeSeconds: number | null;
}
