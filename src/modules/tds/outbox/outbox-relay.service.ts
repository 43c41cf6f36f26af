import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { OutboxConfig } from '../../../shared/config/outbox.config.js';
import { DbNotifier } from '../../../shared/database/db-notifier.js';
import { queryRows } from '../../../shared/database/sql.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { LivenessRegistry } from '../../../shared/health/liveness.registry.js';
import { TdsMetrics } from '../metrics/tds-metrics.js';
import { knownEventTypes } from '../events/event-catalogue.js';
import { OutboxPublisher } from './outbox-publisher.js';
import type { OutboxRow } from './outbox-publisher.js';
import { CLAIM_SETTINGS_SQL, CLAIM_OUTBOX_SQL } from './outbox-relay.sql.js';
import { TestFaults } from '../apply/test-faults.js';

export const OUTBOX_CHANNEL = 'tds_outbox';
/** The claim starts from the first id at least this often (see CLAIM_OUTBOX_SQL). */
const FULL_SCAN_INTERVAL_MS = 1_000;

/**
 * Publishes committed outbox rows to the @nestjs/cqrs EventBus as event class instances, in id
 * order (OutboxPublisher), woken by the NOTIFY a batch sends at commit, with polling as the fallback.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly config: OutboxConfig;
  private readonly loop: PollingLoop;
  private readonly instanceId: string;
  /** Where the next claim starts: after the last row claimed, or 0 for a full scan. */
  private floor = 0;
  private lastFullScan = 0;

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    notifier: DbNotifier,
    private readonly publisher: OutboxPublisher,
    private readonly faults: TestFaults,
    private readonly metrics: TdsMetrics,
    liveness: LivenessRegistry,
  ) {
    this.config = config.getOrThrow<OutboxConfig>('outbox');
    this.instanceId = config.getOrThrow<string>('app.instanceId');
    this.loop = new PollingLoop({
      name: OutboxRelayService.name,
      step: () => this.relayOnce(),
      pollIntervalMs: this.config.pollIntervalMs,
      wakeOn: { notifier, channel: OUTBOX_CHANNEL },
    });
    liveness.register('relay', this.loop);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.relayEnabled) return;
    await this.loop.start(1, `${this.instanceId}/relay`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop(5_000);
    // Reactions to the last batch finish before the database closes (else the sweep redoes them).
    await this.publisher.settled();
  }

  /**
   * Relays one batch; returns how many rows it took. The rows are marked dispatched and
   * published inside the claim's transaction. The durable reactions to a batch run while the
   * next batch is claimed, but no further: before claiming, the relay waits until at most one
   * batch's reactions are still running, which keeps memory bounded and the reactions close
   * behind. A crash before the commit leaves the rows for the next pass (reactions that
   * already ran find their receipts); a crash after it leaves them to the redelivery sweep.
   */
  async relayOnce(): Promise<number> {
    await this.publisher.settled(1);
    const tx = this.dataSource.createQueryRunner();
    await tx.connect();
    let rows: OutboxRow[];
    try {
      await tx.startTransaction();
      await tx.query(CLAIM_SETTINGS_SQL);
      if (Date.now() - this.lastFullScan >= FULL_SCAN_INTERVAL_MS) this.floor = 0;
      if (this.floor === 0) this.lastFullScan = Date.now();
      rows = await queryRows<OutboxRow>(tx, CLAIM_OUTBOX_SQL, [this.config.batchSize, knownEventTypes, this.floor]);
      this.publisher.publish(rows);
      await tx.commitTransaction();
      this.metrics.recordPublished(rows.length);
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await tx.release();
    }
    if (this.faults.enabled) this.faults.crashIfRelayed(rows);
    if (rows.length > 0) this.floor = Math.max(...rows.map((row) => row.id)) + 1;
    return rows.length;
  }
}
