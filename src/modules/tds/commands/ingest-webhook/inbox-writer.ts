import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { ThrottledWarning } from '../../../../shared/cache/throttled-warning.js';
import type { IngestConfig } from '../../../../shared/config/ingest.config.js';
import type { QueueConfig } from '../../../../shared/config/queue.config.js';
import type { WebhooksConfig } from '../../../../shared/config/webhooks.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { DomainError } from '../../../../shared/errors/domain-error.js';
import type { FieldError } from '../../../../shared/errors/domain-error.js';
import { settlesWithin } from '../../../../shared/runtime/settles-within.js';
import { toInboxRow } from '../../ingestion/inbox-record.js';
import type { InboxRecord } from '../../ingestion/inbox-record.js';
import { QueueItemInserter } from '../../queue/queue-item-inserter.js';
import { FIND_INBOX_EVENTS_BY_KEY_SQL, INSERT_INBOX_GROUP_SQL } from './ingest-webhook.sql.js';

/** What became of a delivery; `invalid` covers both a new invalid row and a redelivery of one. */
export type InboxOutcome =
  | { status: 'accepted'; inboxId: number; queueItemIds: number[] }
  | { status: 'duplicate'; inboxId: number }
  | { status: 'invalid'; inboxId: number; errors: FieldError[] };

/** Every refusal of the inbox is a 503 with this: the sender keeps the delivery and retries. */
const RETRY_LATER = { 'Retry-After': '5' };

/**
 * The database could not store the delivery (an outage, or a row it refuses). 503 with
 * Retry-After: the sender keeps the delivery and tries again, as Zoho does on any failure. The
 * database's error stays in this instance's log: it may quote the group's content, and one
 * failing group would otherwise repeat it in the log line of every caller.
 */
export class InboxUnavailableError extends DomainError {
  constructor() {
    super('INBOX.UNAVAILABLE', 503, 'The delivery could not be stored; nothing was kept, retry later', { headers: RETRY_LATER });
  }
}

/** The waiting list is full (TDS_INGEST_MAX_WAITING, _BYTES): refused before anything of it is kept. */
export class InboxBusyError extends DomainError {
  constructor() {
    super('INBOX.BUSY', 503, 'Too many deliveries are waiting to be stored; nothing was kept, retry later', { headers: RETRY_LATER });
  }
}

/**
 * The instance shut down before the delivery was committed. If its group was already being
 * written it may be stored after all: the retry is then answered as its duplicate.
 */
export class InboxClosingError extends DomainError {
  constructor() {
    super('INBOX.SHUTTING_DOWN', 503, 'This instance is shutting down; retry (a delivery stored meanwhile is answered as a duplicate)', {
      headers: RETRY_LATER,
    });
  }
}

interface Waiter {
  record: InboxRecord;
  resolve: (outcome: InboxOutcome) => void;
  reject: (error: unknown) => void;
}

interface InsertedRow {
  id: number;
  idempotencyKey: string;
  queueItemIds: number[];
}

interface StoredRow {
  id: number;
  idempotencyKey: string;
  replayKey: string | null;
  status: 'queued' | 'invalid';
  validationErrors: FieldError[] | null;
}

/**
 * Group commit for webhook deliveries. Every delivery must be committed before it is
 * answered, and one commit per delivery (one WAL flush each) caps ingestion far below what
 * the route can take. So concurrent deliveries are buffered for a short window
 * (TDS_INGEST_GROUP_WINDOW_MS) or until the group is full (TDS_INGEST_GROUP_MAX) and written
 * together in one statement (INSERT_INBOX_GROUP_SQL: inbox rows, queue items and the workers'
 * wake-up, one implicit transaction); then each caller learns what became of its own delivery.
 *
 * At most TDS_INGEST_GROUPS_IN_FLIGHT groups are written at once; deliveries arriving
 * meanwhile wait for the next free slot and go together. More concurrent groups would not
 * commit sooner: they insert at the same end of the same indexes and WAL, and on the
 * benchmark machine (2 cores) unbounded groups cost PostgreSQL ~40% more CPU per delivery
 * than two at a time.
 *
 * The deliveries waiting for a slot are bounded (TDS_INGEST_MAX_WAITING, _BYTES): with the
 * database slow or hung, what arrives past the bound is refused at once (503 INBOX.BUSY), so
 * memory stays bounded and the sender keeps the delivery.
 *
 * At shutdown the groups still buffered or in flight are finished before the database closes,
 * within TDS_SHUTDOWN_TIMEOUT_MS: a caller that stopped waiting, e.g. a sender that hung up,
 * still finds its delivery either committed or not written at all. What the database has not
 * answered by then is answered 503.
 */
@Injectable()
export class InboxWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InboxWriter.name);
  private readonly refusals = new ThrottledWarning(this.logger);
  private readonly config: IngestConfig;
  private readonly shutdownTimeoutMs: number;
  private readonly replayWindowS: number;
  private waiting: Waiter[] = [];
  private waitingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Each group being written, with its deliveries. */
  private readonly inFlight = new Map<Promise<void>, Waiter[]>();
  /** Shutdown began: new deliveries are refused. */
  private closing = false;
  /** Shutdown gave up: groups still in flight are left to fail with the closing pool, unretried. */
  private abandoned = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueItemInserter,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<IngestConfig>('ingest');
    this.shutdownTimeoutMs = config.getOrThrow<QueueConfig>('queue').shutdownTimeoutMs;
    this.replayWindowS = config.getOrThrow<WebhooksConfig>('webhooks').replayWindowS;
  }

  /**
   * Resolves once the delivery's group is committed (or found stored already). Rejects with a
   * 503 error: InboxBusyError when too many wait already, InboxClosingError at shutdown,
   * InboxUnavailableError on a database failure.
   */
  write(record: InboxRecord): Promise<InboxOutcome> {
    if (this.closing) return Promise.reject(new InboxClosingError());
    if (this.isFull(record.bytes)) {
      this.refusals.warn(`${this.waiting.length} deliveries (${this.waitingBytes} bytes) wait to be stored: refusing more with 503`);
      return Promise.reject(new InboxBusyError());
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ record, resolve, reject });
      this.waitingBytes += record.bytes;
      if (this.waiting.length >= this.config.groupMax) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.config.groupWindowMs);
    });
  }

  /** An empty list takes any delivery, so that one within the body limit always can be stored. */
  private isFull(bytes: number): boolean {
    return (
      this.waiting.length >= this.config.maxWaiting ||
      (this.waiting.length > 0 && this.waitingBytes + bytes > this.config.maxWaitingBytes)
    );
  }

  /** Starts the next group if a slot is free; else the end of a group in flight starts it. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0 || this.inFlight.size >= this.config.groupsInFlight) return;
    const group = this.waiting.splice(0, this.config.groupMax);
    for (const waiter of group) this.waitingBytes -= waiter.record.bytes;
    const commit = this.commitGroup(group).finally(() => {
      this.inFlight.delete(commit);
      // Whoever waited for the slot has waited longer than a window already.
      this.flush();
    });
    this.inFlight.set(commit, group);
  }

  /**
   * Refuses new deliveries and writes those waiting, within TDS_SHUTDOWN_TIMEOUT_MS (alongside
   * the workers' batches). Past it, every delivery not yet answered, waiting or in a group the
   * database has not answered, is answered 503: never a 2xx, so its sender retries and nothing
   * is lost; one committed after all is then found as a duplicate. Hung groups are left to
   * TypeORM's close. Before, not on, application shutdown: Nest closes the HTTP server in
   * between, and that waits for the requests these deliveries belong to.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (await settlesWithin(this.drain(), this.shutdownTimeoutMs)) return;
    this.abandoned = true;
    const waiting = this.waiting.splice(0);
    this.waitingBytes = 0;
    const inFlight = [...this.inFlight.values()].flat();
    for (const waiter of [...waiting, ...inFlight]) waiter.reject(new InboxClosingError());
    this.logger.warn(
      `shutdown timeout: ${waiting.length} waiting and ${inFlight.length} unconfirmed deliveries answered 503 (the sender retries)`,
    );
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      this.flush();
      await Promise.all(this.inFlight.keys());
    }
  }

  /**
   * A group that fails is written again one delivery per transaction: a transient failure
   * (deadlock, lost connection) gets its second chance, and a delivery the database refuses
   * fails alone instead of taking the group's other deliveries with it.
   */
  private async commitGroup(group: Waiter[]): Promise<void> {
    try {
      settle(group, await this.writeGroup(group.map((waiter) => waiter.record)));
    } catch (error) {
      // Its deliveries were answered when the shutdown gave up on it.
      if (this.abandoned) return;
      this.logger.warn(`a group of ${group.length} deliveries failed; writing them one by one: ${errorSummary(error)}`);
      await Promise.all(
        group.map(async (waiter) => {
          try {
            settle([waiter], await this.writeGroup([waiter.record]));
          } catch (retryError) {
            this.logger.error(`a delivery could not be stored: ${errorSummary(retryError)}`);
            waiter.reject(new InboxUnavailableError());
          }
        }),
      );
    }
  }

  /** Outcomes in the order of `records`. */
  private async writeGroup(records: InboxRecord[]): Promise<InboxOutcome[]> {
    // The first delivery of a key in the group is written; later ones in the same group are its duplicates.
    const firstOfKey = new Map<string, number>();
    records.forEach((record, index) => {
      if (!firstOfKey.has(record.idempotencyKey)) firstOfKey.set(record.idempotencyKey, index);
    });
    const distinct = [...firstOfKey.values()].map((index) => records[index]);

    const inserted = await queryRows<InsertedRow>(this.dataSource, INSERT_INBOX_GROUP_SQL, [
      JSON.stringify(distinct.map((r) => toInboxRow(r, this.queue))),
      this.replayWindowS,
    ]);
    const stored = new Map<string, InboxOutcome>();
    const byKey = new Map(inserted.map((row) => [row.idempotencyKey, row]));
    for (const record of distinct) {
      const row = byKey.get(record.idempotencyKey);
      if (row === undefined) continue;
      stored.set(
        record.idempotencyKey,
        record.validationErrors === null
          ? { status: 'accepted', inboxId: row.id, queueItemIds: row.queueItemIds }
          : { status: 'invalid', inboxId: row.id, errors: record.validationErrors },
      );
    }
    const missing = distinct.filter((record) => !byKey.has(record.idempotencyKey));
    if (missing.length > 0) {
      const rows = await queryRows<StoredRow>(this.dataSource, FIND_INBOX_EVENTS_BY_KEY_SQL, [
        missing.map((record) => record.idempotencyKey),
        missing.flatMap((record) => (record.replayKey === null ? [] : [record.replayKey])),
      ]);
      const byStoredKey = new Map(rows.map((row) => [row.idempotencyKey, row]));
      // Rows come in id order: the last one kept per replay key is the latest delivery replayed.
      const byReplayKey = new Map(rows.filter((row) => row.replayKey !== null).map((row) => [row.replayKey, row]));
      for (const record of missing) {
        const row = byStoredKey.get(record.idempotencyKey) ?? (record.replayKey === null ? undefined : byReplayKey.get(record.replayKey));
        // Only retention deletes inbox rows, and only old ones; should it race us, the retry sees a clean slate.
        if (row === undefined) throw new Error('a conflicting inbox row disappeared before it could be read');
        stored.set(record.idempotencyKey, asDuplicate(row));
      }
    }

    return records.map((record, index) => {
      const outcome = stored.get(record.idempotencyKey) as InboxOutcome;
      const first = firstOfKey.get(record.idempotencyKey) === index;
      return first || outcome.status === 'invalid' ? outcome : { status: 'duplicate', inboxId: outcome.inboxId };
    });
  }

}

/** A delivery whose key was stored before: a duplicate of a queued one, or refused again like the invalid one. */
function asDuplicate(row: StoredRow): InboxOutcome {
  return row.status === 'invalid'
    ? { status: 'invalid', inboxId: row.id, errors: row.validationErrors ?? [] }
    : { status: 'duplicate', inboxId: row.id };
}

function settle(group: Waiter[], outcomes: InboxOutcome[]): void {
  group.forEach((waiter, index) => waiter.resolve(outcomes[index]));
}

/** The error's class and SQLSTATE, never its message: that may quote a delivery's content. */
function errorSummary(error: unknown): string {
  const { name, code, driverError } = error as { name?: string; code?: unknown; driverError?: { code?: unknown } };
  const sqlState = driverError?.code ?? code;
  return `${name ?? 'Error'}${typeof sqlState === 'string' ? ` (SQLSTATE ${sqlState})` : ''}`;
}
