import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import type { QueueStatus } from '../domain/queue-item.js';

/** What one committed batch did. */
export interface BatchOutcome {
  /** Items per status the batch left them in (completed, unchanged, superseded, retry, dead_letter). */
  statuses: Record<string, number>;
  durationMs: number;
  /** Per item the batch closed: enqueue to close. */
  latenciesMs: readonly number[];
}

/** What one write of a pull run's pages did (WRITE_PULL_PAGE_SQL). */
export interface PullPagesOutcome {
  entityType: string;
  pages: number;
  /** Records fetched, with those read again at page edges. */
  records: number;
  /** Records stored as new inbox rows (valid or invalid); the rest were stored already. */
  stored: number;
  invalid: number;
}

/** Present from the first scrape, at 0, so rate() and increase() see the first items too. */
const BATCH_STATUSES: readonly QueueStatus[] = ['completed', 'unchanged', 'superseded', 'retry', 'dead_letter'];

/**
 * What this instance's workers and relay did, counted in process (cluster-wide state is in
 * TdsDatabaseGauges). Recorded after commit only: a batch that rolls back did nothing.
 */
@Injectable()
export class TdsMetrics {
  private readonly processed: Counter<'status'>;
  private readonly batches: Counter;
  private readonly batchDuration: Histogram;
  private readonly latency: Histogram;
  private readonly published: Counter;
  private readonly pullPages: Counter<'entity_type'>;
  private readonly pullRecords: Counter<'entity_type' | 'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.processed = new Counter({
      name: 'tds_queue_items_processed_total',
      help: 'Queue items by the status a committed batch left them in; an item that is retried counts once per attempt',
      labelNames: ['status'],
      registers,
    });
    for (const status of BATCH_STATUSES) this.processed.inc({ status }, 0);
    this.batches = new Counter({ name: 'tds_queue_batches_total', help: 'Batches committed by this instance', registers });
    this.batchDuration = new Histogram({
      name: 'tds_queue_batch_duration_seconds',
      help: 'Batch duration from claim to commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    // From milliseconds (a webhook applied at once) to an hour (a backlog, retries with backoff).
    this.latency = new Histogram({
      name: 'tds_sync_end_to_end_latency_seconds',
      help: 'Per item a batch closed (completed, unchanged, superseded): from enqueue until its batch closed it',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.published = new Counter({
      name: 'tds_outbox_events_published_total',
      help: 'Outbox events this instance relayed to the event bus',
      registers,
    });
    this.pullPages = new Counter({
      name: 'tds_pull_pages_total',
      help: "Pages of pull runs this instance fetched and committed, by entity type",
      labelNames: ['entity_type'],
      registers,
    });
    this.pullRecords = new Counter({
      name: 'tds_pull_records_total',
      help: 'Records of committed pull pages: stored (new, valid), invalid (kept for audit, counted as failed), duplicate (stored already: by webhook or at a page edge)',
      labelNames: ['entity_type', 'outcome'],
      registers,
    });
  }

  recordPullPages({ entityType, pages, records, stored, invalid }: PullPagesOutcome): void {
    this.pullPages.inc({ entity_type: entityType }, pages);
    this.pullRecords.inc({ entity_type: entityType, outcome: 'stored' }, stored - invalid);
    this.pullRecords.inc({ entity_type: entityType, outcome: 'invalid' }, invalid);
    this.pullRecords.inc({ entity_type: entityType, outcome: 'duplicate' }, records - stored);
  }

  recordBatch({ statuses, durationMs, latenciesMs }: BatchOutcome): void {
    for (const [status, count] of Object.entries(statuses)) this.processed.inc({ status }, count);
    this.batches.inc();
    this.batchDuration.observe(durationMs / 1000);
    for (const ms of latenciesMs) this.latency.observe(ms / 1000);
  }

  recordPublished(count: number): void {
    this.published.inc(count);
  }
}
