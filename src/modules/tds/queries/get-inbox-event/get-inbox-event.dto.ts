import { ApiProperty } from '@nestjs/swagger';
import { OPERATIONS, QUEUE_STATUSES } from '../../domain/queue-item.js';
import type { QueueStatus } from '../../domain/queue-item.js';

class FieldErrorDto {
  @ApiProperty({ example: 'item.sku' }) path: string;
  @ApiProperty({ example: 'sku must be a string' }) message: string;
}

export class InboxQueueItemDto {
  @ApiProperty({ example: 101 }) id: number;
  @ApiProperty({ example: 'stock_level' }) entityType: string;
  @ApiProperty({ example: '4815000000044208:4815000000035071' }) sourceEntityId: string;
  @ApiProperty({ enum: OPERATIONS }) operation: (typeof OPERATIONS)[number];
  @ApiProperty({ description: 'Epoch milliseconds for timestamp versions', example: 1763420571000 }) version: number;
  @ApiProperty({ enum: QUEUE_STATUSES }) status: QueueStatus;
  @ApiProperty({ description: 'Attempts made so far' }) attempt: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'TRANSIENT_DB' }) errorCode: string | null;
}

export class InboxEventDto {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ type: String, nullable: true, example: 'product', description: 'Null when the delivery was too malformed to tell' })
  entityType: string | null;
  @ApiProperty({ type: String, nullable: true, example: '4815000000044208' }) sourceEntityId: string | null;
  @ApiProperty({ type: String, nullable: true, enum: OPERATIONS }) operation: (typeof OPERATIONS)[number] | null;
  @ApiProperty({ type: Number, nullable: true, description: "The primary record's version", example: 1763420571000 }) version: number | null;
  @ApiProperty({ description: 'The delivery id header, else a hash of the delivery: what recognises a redelivery' }) idempotencyKey: string;
  @ApiProperty({ description: 'sha256 of the raw body, hex' }) contentHash: string | null;
  @ApiProperty({ enum: ['queued', 'invalid'] }) status: 'queued' | 'invalid';
  @ApiProperty({ type: [FieldErrorDto], nullable: true, description: 'Why an invalid delivery was refused' })
  validationErrors: FieldErrorDto[] | null;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty() signatureVerified: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The headers kept: content type and length, user agent, the source\'s signature, timestamp and delivery id',
  })
  headers: Record<string, string>;
  @ApiProperty({ type: [InboxQueueItemDto], description: 'The queue items it became, in arrival order (none for an invalid delivery)' })
  queueItems: InboxQueueItemDto[];
}
