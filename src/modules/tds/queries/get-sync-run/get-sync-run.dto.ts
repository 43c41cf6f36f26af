import { ApiProperty } from '@nestjs/swagger';

export const SYNC_RUN_KINDS = ['pull', 'bulk', 'replay', 'webhook'] as const;
export const SYNC_RUN_STATUSES = ['pending', 'running', 'completed', 'partial', 'failed', 'cancelled'] as const;

export class SyncRunDto {
  @ApiProperty({ example: 17 }) id: number;
  @ApiProperty({ enum: SYNC_RUN_KINDS }) kind: (typeof SYNC_RUN_KINDS)[number];
  @ApiProperty({ example: 'zoho', description: "'mixed' for a replay of dead letters from several sources" }) source: string;
  @ApiProperty({ type: String, nullable: true, example: 'product', description: 'Null when the run spans several entity types' })
  entityType: string | null;
  @ApiProperty({ enum: SYNC_RUN_STATUSES }) status: (typeof SYNC_RUN_STATUSES)[number];
  @ApiProperty({ description: 'Items in the run' }) total: number;
  @ApiProperty({ description: 'succeeded + failed + skipped' }) processed: number;
  @ApiProperty({ description: 'Items applied to the mirror' }) succeeded: number;
  @ApiProperty({ description: 'Items dead-lettered (a retry counts once it is final)' }) failed: number;
  @ApiProperty({ description: 'Items unchanged, superseded or cancelled' }) skipped: number;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.25, description: 'processed / total; 1 for an empty run' }) progress: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Started to completed, or to now while open; null until started' })
  durationMs: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'What went wrong or who stopped it, e.g. { cancelledBy, cancelledItems }',
  })
  errorSummary: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true, description: 'Pull runs: the source cursor it started from' }) cursorFrom: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Pull runs: the source cursor it reached' }) cursorTo: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "Webhook runs: the hour (UTC) whose deliveries the run holds; it closes once that hour is over and they are processed",
  })
  windowStart: string | null;
}
