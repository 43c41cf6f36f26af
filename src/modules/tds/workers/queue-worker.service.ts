import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import type { QueueConfig } from '../../../shared/config/queue.config.js';
import { DatabaseInfo } from '../../../shared/database/database-info.js';
import { DbNotifier } from '../../../shared/database/db-notifier.js';
import { queryRows } from '../../../shared/database/sql.js';
import type { SqlExecutor } from '../../../shared/database/sql.js';
import type { ClaimedItem, ItemFailure, RunDelta } from '../apply/claimed-item.js';
import { MarkCompletedService } from '../apply/mark-completed.service.js';
import { MarkFailedService } from '../apply/mark-failed.service.js';
import { TestFaults } from '../apply/test-faults.js';
import { CLAIM_BATCH_SQL, FORGET_EMPTY_CLAIMS_SQL, ISOLATE_SUSPECTS_SQL, RECORD_CLAIM_SQL, RECORD_QUEUE_EMPTY_SQL } from './claim-batch.sql.js';
import { FINISH_BATCH_SQL } from './finish-batch.sql.js';
import { BatchGate } from './batch-gate.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { LivenessRegistry } from '../../../shared/health/liveness.registry.js';
import { TdsMetrics } from '../metrics/tds-metrics.js';
import type { BatchOutcome } from '../metrics/tds-metrics.js';

export const QUEUE_CHANNEL = 'tds_queue';

/** A batch from the isolated lane: one item whose earlier batches died. */
const isIsolated = (items: readonly ClaimedItem[]) => items.length === 1 && items[0].crashCount > 0;

interface ClaimRecord {
  claimId: number;
  /** Earlier batches each item died in, for items that have any. */
  crashes: Map<number, number>;
}

/**
 * The in-app workers: each loop claims a batch, applies it in one transaction and commits;
 * when the queue is empty it sleeps until a NOTIFY on `tds_queue` (sent by enqueue at commit)
 * or the poll interval, whichever comes first.
 */
@Injectable()
export class QueueWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueWorkerService.name);
  private readonly config: QueueConfig;
  private readonly instanceId: string;
  private readonly loop: PollingLoop;
  private readonly gate = new BatchGate();
  /** Per worker: when it last finished a batch, until it reports the queue empty. */
  private readonly workedSince = new Map<string, Date>();

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    private readonly dbInfo: DatabaseInfo,
    notifier: DbNotifier,
    private readonly markCompleted: MarkCompletedService,
    private readonly markFailed: MarkFailedService,
    private readonly faults: TestFaults,
    private readonly metrics: TdsMetrics,
    liveness: LivenessRegistry,
  ) {
    this.config = config.getOrThrow<QueueConfig>('queue');
    this.instanceId = config.getOrThrow<string>('app.instanceId');
    this.loop = new PollingLoop({
      name: QueueWorkerService.name,
      step: (workerId) => this.runBatch(workerId),
      pollIntervalMs: this.config.pollIntervalMs,
      wakeOn: { notifier, channel: QUEUE_CHANNEL },
      linger: { full: this.config.batchSize, ms: this.config.batchLingerMs },
    });
    liveness.register('workers', this.loop);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.workersEnabled || this.config.workerCount === 0) return;
    await this.loop.start(this.config.workerCount, `${this.instanceId}/worker`);
    this.logger.log(`${this.config.workerCount} queue workers started (batch ${this.config.batchSize})`);
  }

  /** SIGTERM: stop claiming, let in-flight batches commit within the timeout. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!(await this.loop.stop(this.config.shutdownTimeoutMs))) {
      this.logger.warn('in-flight batches did not finish before the shutdown timeout');
    }
  }

  /**
   * One batch: claim, record the claim outside the transaction, apply, record failures,
   * finish, commit. Returns how many items were claimed (0: the queue had nothing due).
   * A thrown error leaves the claim record behind, so the batch counts as one that died.
   */
  async runBatch(workerId: string): Promise<number> {
    const tx = this.dataSource.createQueryRunner();
    await tx.connect();
    const startedAt = Date.now();
    let leave: () => void = () => undefined;
    try {
      // Embedded PGlite: one session, held by this batch from claim to commit, so nothing can
      // interleave; the claim record must commit before the transaction starts.
      if (!this.dbInfo.singleSession) await tx.startTransaction();
      const items = await this.claim(tx);
      if (items.length === 0) {
        if (tx.isTransactionActive) await tx.commitTransaction();
        await this.reportDrained(tx, workerId);
        return 0;
      }
      // The claim is recorded only once the batch may run: one that dies while it waits
      // blames nobody.
      leave = await (isIsolated(items) ? this.gate.exclusive() : this.gate.shared());
      const claim = await this.recordClaim(this.dbInfo.singleSession ? tx : this.dataSource, workerId, items);
      if (this.dbInfo.singleSession) await tx.startTransaction();
      const outcome = await this.apply(tx, items, claim);
      await tx.commitTransaction();
      this.metrics.recordBatch({ ...outcome, durationMs: Date.now() - startedAt });
      this.workedSince.set(workerId, new Date());
      return items.length;
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      leave();
      await tx.release();
    }
  }

  /** TdsQueueEmptyEvent, once per drain: when this worker finds nothing after having applied work. */
  private async reportDrained(tx: QueryRunner, workerId: string): Promise<void> {
    const lastProcessedAt = this.workedSince.get(workerId);
    if (lastProcessedAt === undefined) return;
    await queryRows(tx, RECORD_QUEUE_EMPTY_SQL, [workerId, lastProcessedAt.toISOString()]);
    this.workedSince.delete(workerId);
  }

  private claim(tx: QueryRunner): Promise<ClaimedItem[]> {
    return queryRows<ClaimedItem>(tx, CLAIM_BATCH_SQL, [this.config.batchSize]);
  }

  private async recordClaim(db: SqlExecutor, workerId: string, items: ClaimedItem[]): Promise<ClaimRecord> {
    const rows = await queryRows<{ claimId: number; itemId: number | null; crashes: number }>(db, RECORD_CLAIM_SQL, [
      workerId,
      items.map((i) => i.id),
    ]);
    const crashes = new Map<number, number>();
    for (const row of rows) if (row.itemId !== null) crashes.set(Number(row.itemId), row.crashes);
    return { claimId: rows[0].claimId, crashes };
  }

  private async apply(tx: QueryRunner, items: ClaimedItem[], { claimId, crashes }: ClaimRecord): Promise<Omit<BatchOutcome, 'durationMs'>> {
    if (crashes.size > 0) {
      await tx.query(ISOLATE_SUSPECTS_SQL, [[...crashes.keys()], [...crashes.values()], claimId]);
      await tx.query(FORGET_EMPTY_CLAIMS_SQL);
    }
    const poison: ItemFailure[] = [];
    const toApply: ClaimedItem[] = [];
    const isolated = isIsolated(items);
    for (const item of items) {
      const crashed = crashes.get(item.id) ?? 0;
      const total = item.crashCount + crashed;
      if (total >= this.config.maxCrashes) {
        poison.push({ item, code: 'POISON', message: `its batches died ${total} times`, retryable: false });
      } else if (crashed === 0 || isolated) {
        toApply.push(item);
      }
      // else: a suspect from a batch that died; its crashes moved onto its row, which puts it in
      // the isolated lane, where it runs alone.
    }
    const completed = await this.markCompleted.apply(tx, toApply);
    if (this.faults.enabled) this.faults.crashIfMarked(toApply);
    const failed = await this.markFailed.record(tx, [...poison, ...completed.failures]);
    const runs: RunDelta[] = [...completed.runs, ...failed.runs];
    await tx.query(FINISH_BATCH_SQL, [
      runs.map((r) => r.syncRunId),
      runs.map((r) => r.succeeded ?? 0),
      runs.map((r) => r.failed ?? 0),
      runs.map((r) => r.skipped ?? 0),
      claimId,
      completed.events + failed.events > 0,
    ]);
    // The two sets of statuses are disjoint: closed (completed, unchanged, superseded) and failed (retry, dead_letter).
    return { statuses: { ...completed.statuses, ...failed.statuses }, latenciesMs: completed.latenciesMs };
  }
}
