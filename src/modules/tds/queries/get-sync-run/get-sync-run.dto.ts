import { ApiProperty } from '@nestjs/swagger';

export const SYNC_RUN_KINDS = ['pull', 'bulk', 'replay', 'webhook'] as const;
export const SYNC_RUN_STATUSES = ['pending', 'running', 'completed', 'partial', 'failed', 'cancelled'] as const;

export class PullPauseDto {
  @ApiProperty({ example: 'SOURCE.CIRCUIT_OPEN' }) code: string;
  @ApiProperty() message: string;
  @ApiProperty({ format: 'date-time' }) since: string;
}

/** Where a pull run's fetch stands. Pulled records that became queue items are in the run's counters as usual. */
export class PullStateDto {
  @ApiProperty({ example: 'main', description: 'The Zoho account pulled from' }) account: string;
  @ApiProperty({ enum: ['full', 'incremental'] }) mode: 'full' | 'incremental';
  @ApiProperty({ description: 'Pages are still being fetched (the run stays running until then, whatever its counters say)' }) fetching: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fetchedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The instance holding the lease' }) leaseHolder: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) leaseExpiresAt: string | null;
  @ApiProperty({ description: 'Pages fetched and written' }) pages: number;
  @ApiProperty({ description: 'Records fetched, including those read again at page edges' }) records: number;
  @ApiProperty({ description: 'Queue items the records became (an item also yields its stock levels)' }) queued: number;
  @ApiProperty({ description: 'Records refused by validation: kept in the inbox as invalid, counted as failed' }) invalid: number;
  @ApiProperty({ description: 'Records stored already (by a webhook, or read again at a page edge)' }) duplicates: number;
  @ApiProperty({ example: 42.5, description: "Share of the records' time span fetched so far; 100 once fetched" }) estimatedPercent: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The next request asks for records modified at or after this' })
  lowerBound: string | null;
  @ApiProperty({ description: 'The next page within lowerBound' }) page: number;
  @ApiProperty({ type: PullPauseDto, nullable: true, description: 'Set while the run waits for the source' }) paused: PullPauseDto | null;
}

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
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    example: 0.25,
    description: 'processed / total; 1 for an empty run; a pull run still fetching reports at most its estimated fetch share',
  })
  progress: number;
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
  @ApiProperty({ type: PullStateDto, nullable: true, description: 'Pull runs: the fetch; null for other kinds' })
  pull: PullStateDto | null;
}
