import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { OutboxConfig } from '../../../shared/config/outbox.config.js';
import type { ReactionsConfig } from '../../../shared/config/reactions.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { DurableReactions } from '../../../shared/reactions/durable-reactions.js';
import { LivenessRegistry } from '../../../shared/health/liveness.registry.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { OutboxPublisher } from '../outbox/outbox-publisher.js';
import type { OutboxRow } from '../outbox/outbox-publisher.js';
import {
  ADVANCE_CURSOR_SQL,
  FIND_LOST_DELIVERIES_SQL,
  LEASE_DUE_FAILURES_SQL,
  READ_OUTBOX_BY_EVENT_ID_SQL,
  START_CURSOR_AT_REGISTRATION_SQL,
} from './reaction-redelivery.sql.js';

/** Events per redelivery, and outbox rows per reaction per sweep. */
const REDELIVERY_BATCH = 500;
const SCAN_LIMIT = 5_000;
/** A leased failure not settled by then is due again. */
const LEASE_MS = 60_000;

/**
 * The other half of durable reactions (ARCHITECTURE §4): brings events back to the reactions
 * that did not handle them. Failures whose next attempt is due are delivered again; and for
 * each registered reaction, outbox events dispatched long enough ago with neither a receipt
 * nor an open failure (published just before a crash, or lost with a dying instance) are
 * delivered again. Redelivery publishes the events on the EventBus like the relay does:
 * every reaction sees them, and those that handled them already find their receipts.
 * Several instances may sweep at once: receipts keep the effects single, leases keep a
 * failure's attempts from being counted twice.
 */
@Injectable()
export class ReactionRedeliveryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReactionRedeliveryService.name);
  private readonly config: ReactionsConfig;
  private readonly enabled: boolean;
  private readonly loop: PollingLoop;

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    private readonly reactions: DurableReactions,
    private readonly publisher: OutboxPublisher,
    liveness: LivenessRegistry,
  ) {
    this.config = config.getOrThrow<ReactionsConfig>('reactions');
    // Events are only published where the relay runs.
    this.enabled = config.getOrThrow<OutboxConfig>('outbox').relayEnabled;
    this.loop = new PollingLoop({
      name: ReactionRedeliveryService.name,
      step: async () => {
        await this.sweepOnce();
        return 0;
      },
      pollIntervalMs: this.config.sweepIntervalMs,
    });
    liveness.register('reaction-sweep', this.loop);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const reaction of this.reactions.registrations) {
      if (reaction.startAt === 'registration') await queryRows(this.dataSource, START_CURSOR_AT_REGISTRATION_SQL, [reaction.name]);
    }
    if (this.enabled) await this.loop.start(1, 'reaction-sweep');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop(5_000);
  }

  /** One sweep: due failures, then lost deliveries; returns how many events were delivered again. */
  async sweepOnce(): Promise<number> {
    return (await this.retryDueFailures()) + (await this.redeliverLost());
  }

  /**
   * Failures whose next attempt is due, leased so that concurrent callers (every instance's
   * sweep, the retry job) each take different ones. Returns how many events were delivered again.
   */
  async retryDueFailures(): Promise<number> {
    const due = await queryRows<{ eventId: string }>(this.dataSource, LEASE_DUE_FAILURES_SQL, [REDELIVERY_BATCH, LEASE_MS]);
    return this.redeliver(due.map((row) => row.eventId));
  }

  /**
   * Per reaction, the outbox rows past its cursor with neither a receipt nor a failure. Not
   * leased: two scans at once deliver the same events twice (receipts keep the effect single,
   * but the work is done twice), so only the sweep's own loop runs it.
   */
  private async redeliverLost(): Promise<number> {
    let delivered = 0;
    for (const reaction of this.reactions.registrations) {
      const [lost] = await queryRows<{ upTo: number; eventIds: string[] }>(this.dataSource, FIND_LOST_DELIVERIES_SQL, [
        SCAN_LIMIT,
        this.config.redeliverAfterMs,
        reaction.name,
        reaction.eventTypes,
        reaction.entityTypes ?? null,
      ]);
      if (lost.eventIds.length > 0) {
        this.logger.warn(`${reaction.name}: ${lost.eventIds.length} event(s) without receipt or failure; delivering them again`);
        delivered += await this.redeliver(lost.eventIds);
      }
      // Only once the lost ones are handled (or recorded as failed): a crash before this sweeps them again.
      await queryRows(this.dataSource, ADVANCE_CURSOR_SQL, [reaction.name, lost.upTo]);
    }
    return delivered;
  }

  private async redeliver(eventIds: string[]): Promise<number> {
    for (let start = 0; start < eventIds.length; start += REDELIVERY_BATCH) {
      const rows = await queryRows<OutboxRow>(this.dataSource, READ_OUTBOX_BY_EVENT_ID_SQL, [eventIds.slice(start, start + REDELIVERY_BATCH)]);
      this.publisher.publish(rows);
      await this.publisher.settled();
    }
    return eventIds.length;
  }
}
