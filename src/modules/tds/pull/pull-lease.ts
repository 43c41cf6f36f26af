import type { DataSource } from 'typeorm';
import { queryRows } from '../../../shared/database/sql.js';
import type { InboxRecord } from '../ingestion/inbox-record.js';
import { toInboxRow } from '../ingestion/inbox-record.js';
import type { QueueItemInserter } from '../queue/queue-item-inserter.js';
import type { PullProgress } from './pull-progress.js';
import {
  FAIL_PULL_RUN_SQL,
  FINISH_PULL_FETCH_SQL,
  RELEASE_PULL_LEASE_SQL,
  RENEW_PULL_LEASE_SQL,
  SET_PULL_PROGRESS_SQL,
  WRITE_PULL_PAGE_SQL,
} from './pull-runs.sql.js';

/** A claimed pull run, as CLAIM_PULL_RUN_SQL returns it. */
export interface ClaimedPullRun {
  id: number;
  source: string;
  account: string;
  entityType: string;
  mode: 'full' | 'incremental';
  /** A bigint: kept as text, compared by the database. */
  leaseToken: string;
  progress: PullProgress;
}

/** What a run's failure records (error summary and tds.sync.failed). */
export interface PullFailure {
  errorCode: string;
  errorMessage: string;
  httpStatus?: number;
  bodyExcerpt?: string;
}

export interface PageWritten {
  queued: number;
  invalid: number;
  stored: number;
}

/**
 * Every write a holder makes to its run, each naming the run and the lease token it holds (the
 * statements refuse it otherwise: pull-runs.sql.ts). `false` or undefined: the lease is gone
 * (expired, taken over by another instance, or the run was cancelled) and the holder must stop.
 */
export class PullLease {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueItemInserter,
    readonly run: ClaimedPullRun,
    private readonly leaseMs: number,
    private readonly replayWindowS: number,
  ) {}

  async renew(): Promise<boolean> {
    return (await queryRows(this.dataSource, RENEW_PULL_LEASE_SQL, [this.run.id, this.run.leaseToken, this.leaseMs])).length > 0;
  }

  async setProgress(progress: Partial<PullProgress>): Promise<boolean> {
    const rows = await queryRows(this.dataSource, SET_PULL_PROGRESS_SQL, [this.run.id, this.run.leaseToken, JSON.stringify(progress), this.leaseMs]);
    return rows.length > 0;
  }

  /**
   * Pages fetched meanwhile, in one statement; a record read on two of them (a page edge) is
   * written once. Undefined: refused, nothing written.
   */
  async writePages(fetched: readonly InboxRecord[], progress: PullProgress, newestAt: number | undefined): Promise<PageWritten | undefined> {
    const byKey = new Map<string, InboxRecord>();
    for (const record of fetched) if (!byKey.has(record.idempotencyKey)) byKey.set(record.idempotencyKey, record);
    const rows = JSON.stringify([...byKey.values()].map((record) => toInboxRow(record, this.queue)));
    const newest = newestAt === undefined ? null : new Date(newestAt).toISOString();
    const [result] = await queryRows<PageWritten & { held: boolean }>(this.dataSource, WRITE_PULL_PAGE_SQL, [
      this.run.id,
      this.run.leaseToken,
      rows,
      JSON.stringify(progress),
      newest,
      this.leaseMs,
      this.replayWindowS,
      fetched.length,
    ]);
    return result.held ? { queued: result.queued, invalid: result.invalid, stored: result.stored } : undefined;
  }

  /** The run's status after the last page (running until the workers finish its items), or undefined when refused. */
  async finish(progress: Partial<PullProgress>): Promise<string | undefined> {
    const [row] = await queryRows<{ status: string | null }>(this.dataSource, FINISH_PULL_FETCH_SQL, [
      this.run.id,
      this.run.leaseToken,
      JSON.stringify(progress),
    ]);
    return row?.status ?? undefined;
  }

  async fail(failure: PullFailure, progress: Partial<PullProgress>): Promise<boolean> {
    const [row] = await queryRows<{ failed: number }>(this.dataSource, FAIL_PULL_RUN_SQL, [
      this.run.id,
      this.run.leaseToken,
      JSON.stringify(failure),
      JSON.stringify(progress),
    ]);
    return row.failed > 0;
  }

  async release(): Promise<void> {
    await queryRows(this.dataSource, RELEASE_PULL_LEASE_SQL, [this.run.id, this.run.leaseToken]);
  }
}
