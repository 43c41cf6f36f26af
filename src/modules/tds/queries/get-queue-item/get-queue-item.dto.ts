import { ApiProperty } from '@nestjs/swagger';
import { OPERATIONS, QUEUE_STATUSES } from '../../domain/queue-item.js';
import type { QueueStatus } from '../../domain/queue-item.js';

export class QueueItemDto {
  @ApiProperty({ example: 101 }) id: number;
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ example: '4815000000044208' }) sourceEntityId: string;
  @ApiProperty({ enum: OPERATIONS }) operation: (typeof OPERATIONS)[number];
  @ApiProperty({ description: 'Epoch milliseconds for timestamp versions', example: 1763420571000 }) version: number;
  @ApiProperty({ minimum: 1, maximum: 10 }) priority: number;
  @ApiProperty({ enum: QUEUE_STATUSES }) status: QueueStatus;
  @ApiProperty({ description: 'Attempts made so far' }) attempt: number;
  @ApiProperty() maxAttempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'TRANSIENT_DB' }) errorCode: string | null;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The bulk or pull run it belongs to' }) syncRunId: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The webhook delivery it came from' }) inboxEventId: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The version the mirror holds from this item: its version once completed or unchanged, else null',
  })
  appliedVersion: number | null;
}
