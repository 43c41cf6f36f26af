import { Injectable } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { OutboxConfig } from '../../../shared/config/outbox.config.js';
import { DbNotifier } from '../../../shared/database/db-notifier.js';
import { queryRows } from '../../../shared/database/sql.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { eventFromOutbox, knownEventTypes } from '../events/event-catalogue.js';
import { CLAIM_OUTBOX_SQL } from './outbox-relay.sql.js';

export const OUTBOX_CHANNEL = 'tds_outbox';

interface OutboxRow {
  id: number;
  eventId: string;
  eventType: string;
  correlationId: string | null;
  causationId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Publishes committed outbox rows to the @nestjs/cqrs EventBus as event class instances, in id
 * order, woken by the NOTIFY a batch sends at commit, with polling as the fallback.
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
    private readonly eventBus: EventBus,
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

  /** Relays one batch; returns how many rows it took. */
  async relayOnce(): Promise<number> {
    const tx = this.dataSource.createQueryRunner();
    await tx.connect();
    try {
      await tx.startTransaction();
      const rows = await queryRows<OutboxRow>(tx, CLAIM_OUTBOX_SQL, [this.config.batchSize, knownEventTypes]);
      rows.sort((a, b) => a.id - b.id);
      const events = rows.map((row) =>
        eventFromOutbox(
          row.eventType,
          {
            eventId: row.eventId,
            occurredAt: new Date(row.createdAt).toISOString(),
            correlationId: row.correlationId,
            causationId: row.causationId,
          },
          row.payload,
        ),
      );
      this.eventBus.publishAll(events);
      await tx.commitTransaction();
      return rows.length;
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await tx.release();
    }
  }
}
