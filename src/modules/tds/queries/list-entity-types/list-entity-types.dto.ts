import { ApiProperty } from '@nestjs/swagger';

export class EntityTypeStatusDto {
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Records in the mirror, deleted ones left out (null only when the query was asked not to count them)' })
  mirrored: number | null;
  @ApiProperty({ description: 'Queue items waiting: pending or due for a retry' }) pendingItems: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Age in seconds of the oldest pending item of this type (database clock); null when none is pending',
    example: 3.2,
  })
  oldestPendingAgeSeconds: number | null;
  @ApiProperty({ description: 'Dead letters neither resolved nor replayed' }) openDeadLetters: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Start of the last minute in which an item was applied or found unchanged; null when none is in the kept metrics',
  })
  lastSuccessAt: string | null;
  @ApiProperty({ description: 'Items applied to the mirror in the last 24 h' }) applied24h: number;
  @ApiProperty({ description: 'Failed attempts (retried or dead-lettered) in the last 24 h' }) failed24h: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: 'Applied, unchanged and superseded over every outcome in the last 24 h (the failure_rate alert\'s complement); null without outcomes',
  })
  successRate24h: number | null;
}
