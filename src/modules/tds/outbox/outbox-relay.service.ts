import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { OutboxConfig } from '../../../shared/config/outbox.config.js';
import { DbNotifier } from '../../../shared/database/db-notifier.js';
import { queryRows } from '../../../shared/database/sql.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { knownEventTypes } from '../events/event-catalogue.js';
import { OutboxPublisher } from './outbox-publisher.js';
import type { OutboxRow } from './outbox-publisher.js';
import { CLAIM_OUTBOX_SQL } from './outbox-relay.sql.js';
import { TestFaults } from '../workers/test-faults.js';

export const OUTBOX_CHANNEL = 'tds_outbox';

/**
 * Publishes committed outbox rows to the @nestjs/cqrs EventBus as event class instances, in id
 * order (OutboxPublisher), woken by the NOTIFY a batch sends at commit, with polling as the fallback.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly config: OutboxConfig;
  private readonly loop: PollingLoop;
  private readonly instanceId: string;

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    notifier: DbNotifier,
    private readonly publisher: OutboxPublisher,
    private readonly faults: TestFaults,
  ) {
    this.config = config.getOrThrow<OutboxConfig>('outbox');
    this.instanceId = config.getOrThrow<string>('app.instanceId');
    this.loop = new PollingLoop({
      name: OutboxRelayService.name,
      step: () => this.relayOnce(),
      pollIntervalMs: this.config.pollIntervalMs,
      wakeOn: { notifier, channel: OUTBOX_CHANNEL },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.relayEnabled) return;
    await this.loop.start(1, `${this.instanceId}/relay`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop(5_000);
  }

  /**
   * Relays one batch; returns how many rows it took. The rows are marked dispatched and
   * published inside the claim's transaction; after the commit the relay waits for the
   * durable reactions to the batch before it takes the next one. A crash before the commit
   * leaves the rows for the next pass (reactions that already ran find their receipts); a
   * crash after it leaves them to the redelivery sweep.
   */
  async relayOnce(): Promise<number> {
    const tx = this.dataSource.createQueryRunner();
    await tx.connect();
    let reactions: Promise<void>;
    let rows: OutboxRow[];
    try {
      await tx.startTransaction();
      rows = await queryRows<OutboxRow>(tx, CLAIM_OUTBOX_SQL, [this.config.batchSize, knownEventTypes]);
      reactions = this.publisher.publish(rows);
      await tx.commitTransaction();
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await tx.release();
    }
    if (this.faults.enabled) this.faults.crashIfRelayed(rows);
    await reactions;
    return rows.length;
  }
}
