import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import type { ReactionsConfig } from '../config/reactions.config.js';
import { queryRows } from '../database/sql.js';
import { ASYNC_COMMIT_SQL, CLAIM_RECEIPTS_SQL, RECORD_FAILURES_SQL } from './durable-reactions.sql.js';

/** What a reaction needs to know of an event to receipt it: the outbox event's id and type. */
export interface ReactionEvent {
  eventId: string;
  eventType: string;
}

/** A durable reaction: its name (the receipts' key) and the outbox events it consumes. */
export interface ReactionRegistration {
  name: string;
  /** Outbox event types (`tds.entity.create`, …). */
  eventTypes: readonly string[];
  /** For entity events: only these entity types (absent: all). */
  entityTypes?: readonly string[];
  /**
   * Which past events the redelivery sweep owes a reaction it meets for the first time:
   * `beginning` (default) every event still in the outbox, as a downstream read model needs;
   * `registration` none from before, as a notification receiver added today wants (it should
   * hear today's alerts, not a day of old ones).
   */
  startAt?: 'beginning' | 'registration';
}

/** The effect, inside the reaction's transaction; may return work to run once it has committed (e.g. cache invalidation). */
export type ReactionEffect<E> = (tx: QueryRunner, fresh: E[]) => Promise<void | (() => Promise<void>)>;

const MAX_ERROR_CHARS = 2000;

/**
 * At-least-once delivery made exactly-once in effect (ARCHITECTURE §4). An event handler hands
 * its events and its effect to `run`: the effect runs in one transaction with the receipts of
 * the events it had not handled yet, so a redelivered event does nothing; when the effect
 * throws, the transaction rolls back, the batch is bisected to find the failing event(s), and
 * each gets a failure row with its next attempt (the redelivery sweep, in the TDS module, brings it back). Nothing here throws
 * back into the EventBus: a failing reaction cannot kill a saga stream or hold back another
 * reaction, and is never dropped silently.
 *
 * @nestjs/cqrs does not await handlers, so runs are tracked: `settled()` lets the publisher
 * (the outbox relay) wait for the reactions of one batch before it publishes the next, which
 * keeps memory bounded and the reactions in step with the relay.
 */
@Injectable()
export class DurableReactions {
  private readonly logger = new Logger(DurableReactions.name);
  private readonly config: ReactionsConfig;
  private readonly registry = new Map<string, ReactionRegistration>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<ReactionsConfig>('reactions');
  }

  /** Declares a reaction, so lost deliveries to it can be found and delivered again. */
  register(registration: ReactionRegistration): void {
    this.registry.set(registration.name, registration);
  }

  get registrations(): readonly ReactionRegistration[] {
    return [...this.registry.values()];
  }

  /** Applies `effect` to the events `reaction` has not handled yet; resolves when done or recorded as failed, never rejects. */
  run<E extends ReactionEvent>(reaction: string, events: readonly E[], effect: ReactionEffect<E>): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const running = this.execute(reaction, events, effect).finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
    return running;
  }

  /** Resolves once at most `maxInFlight` runs are still going (default: every run started so far has finished). */
  async settled(maxInFlight = 0): Promise<void> {
    while (this.inFlight.size > maxInFlight) await Promise.race([...this.inFlight]);
  }

  /**
   * One transaction for the whole batch. When the effect fails, the batch is split in halves
   * and each tried again, down to single events: one bad event costs O(log n) extra
   * transactions and fails alone (recorded for retry), its batch-mates are applied.
   */
  private async execute<E extends ReactionEvent>(reaction: string, events: readonly E[], effect: ReactionEffect<E>): Promise<void> {
    let afterCommit: void | (() => Promise<void>) = undefined;
    const tx = this.dataSource.createQueryRunner();
    try {
      await tx.connect();
      await tx.startTransaction();
      await tx.query(ASYNC_COMMIT_SQL);
      const ids = events.map((event) => event.eventId);
      const claimed = await queryRows<{ eventId: string }>(tx, CLAIM_RECEIPTS_SQL, [reaction, ids]);
      const fresh = new Set(claimed.map((row) => row.eventId));
      if (fresh.size > 0) afterCommit = await effect(tx, events.filter((event) => fresh.has(event.eventId)));
      await tx.commitTransaction();
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      await tx.release();
      if (events.length === 1) return this.recordFailure(reaction, events, error);
      const half = Math.ceil(events.length / 2);
      await this.execute(reaction, events.slice(0, half), effect);
      await this.execute(reaction, events.slice(half), effect);
      return;
    }
    await tx.release();
    if (afterCommit) await afterCommit().catch((error: Error) => this.logger.warn(`${reaction}: after-commit step failed: ${error.message}`));
  }

  private async recordFailure(reaction: string, events: readonly ReactionEvent[], error: unknown): Promise<void> {
    const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_CHARS);
    this.logger.warn(`${reaction} failed for ${events.length} event(s); recorded for retry: ${message}`);
    try {
      const { maxAttempts, backoffBaseMs, backoffCapMs } = this.config;
      await queryRows(this.dataSource, RECORD_FAILURES_SQL, [
        reaction,
        events.map((event) => event.eventId),
        events.map((event) => event.eventType),
        message,
        maxAttempts,
        backoffBaseMs,
        backoffCapMs,
      ]);
    } catch (recordError) {
      // Not lost either way: without receipt or failure, the redelivery sweep finds the events again.
      this.logger.error(`${reaction}: the failure could not be recorded: ${(recordError as Error).message}`);
    }
  }
}
