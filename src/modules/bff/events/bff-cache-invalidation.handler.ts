import { Logger } from '@nestjs/common';
import { EventsHandler } from '@nestjs/cqrs';
import type { IEventHandler } from '@nestjs/cqrs';
import type { BffCacheGroup } from '../../../shared/config/bff.config.js';
import {
  TdsAlertAcknowledgedEvent,
  TdsAlertTriggeredEvent,
  TdsDeadLetterEvent,
  TdsDeadLetterReplayedEvent,
  TdsDeadLetterResolvedEvent,
  TdsSyncCompletedEvent,
  TdsSyncFailedEvent,
  TdsSyncStartedEvent,
} from '../../tds/public.js';
import { BffCache } from '../cache/bff-cache.js';

type InvalidatingEvent =
  | TdsSyncStartedEvent
  | TdsSyncCompletedEvent
  | TdsSyncFailedEvent
  | TdsDeadLetterEvent
  | TdsDeadLetterReplayedEvent
  | TdsDeadLetterResolvedEvent
  | TdsAlertTriggeredEvent
  | TdsAlertAcknowledgedEvent;

/** What each family of events changes among the BFF's reads (the dashboard shows a bit of each). */
const GROUPS_BY_PREFIX: readonly [string, BffCacheGroup[]][] = [
  ['tds.sync.', ['runs', 'dashboard']],
  ['tds.deadletter.', ['deadLetters', 'dashboard', 'entities']],
  ['tds.alert.', ['alerts', 'dashboard']],
];

/**
 * TDS events → the BFF groups they make stale, once TDS has committed the change (the relay
 * publishes after commit). A relay pass publishes up to a batch of events at once (a thousand
 * dead letters of one bulk run): the groups they name are collected and dropped once per pass,
 * one broadcast instead of one per event. The EventBus awaits nothing, so a failure is logged
 * here; the TTL bounds what it leaves stale.
 */
@EventsHandler(
  TdsSyncStartedEvent,
  TdsSyncCompletedEvent,
  TdsSyncFailedEvent,
  TdsDeadLetterEvent,
  TdsDeadLetterReplayedEvent,
  TdsDeadLetterResolvedEvent,
  TdsAlertTriggeredEvent,
  TdsAlertAcknowledgedEvent,
)
export class BffCacheInvalidationHandler implements IEventHandler<InvalidatingEvent> {
  private readonly logger = new Logger(BffCacheInvalidationHandler.name);
  private readonly pending = new Set<BffCacheGroup>();

  constructor(private readonly cache: BffCache) {}

  handle(event: InvalidatingEvent): void {
    const groups = GROUPS_BY_PREFIX.find(([prefix]) => event.eventType.startsWith(prefix))?.[1] ?? [];
    if (groups.length === 0) return;
    const flushScheduled = this.pending.size > 0;
    groups.forEach((group) => this.pending.add(group));
    if (!flushScheduled) setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const groups = [...this.pending];
    this.pending.clear();
    try {
      await this.cache.invalidate(groups);
    } catch (error) {
      this.logger.warn(`BFF cache invalidation failed (entries expire by TTL): ${(error as Error).message}`);
    }
  }
}
