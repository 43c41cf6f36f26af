import type { DomainEvent, EventMeta } from '../../../shared/events/domain-event.js';
import { TdsDeadLetterReplayedEvent } from './tds-dead-letter-replayed.event.js';
import { TdsDeadLetterEvent } from './tds-dead-letter.event.js';
import { TdsEntitySyncFailedEvent } from './tds-entity-sync-failed.event.js';
import { TdsEntitySyncedEvent } from './tds-entity-synced.event.js';

type EventClass = (new (props: never) => DomainEvent) & { readonly types: readonly string[] };

const classes: EventClass[] = [
  TdsEntitySyncedEvent,
  TdsEntitySyncFailedEvent,
  TdsDeadLetterEvent,
  TdsDeadLetterReplayedEvent,
];

const byType = new Map<string, EventClass>(classes.flatMap((c) => c.types.map((t) => [t, c] as const)));

export const knownEventTypes: readonly string[] = [...byType.keys()];

/** Rebuilds the class instance for an outbox row (the relay only reads known types). */
export function eventFromOutbox(type: string, meta: EventMeta, data: Record<string, unknown>): DomainEvent {
  const cls = byType.get(type);
  if (!cls) throw new Error(`unknown event type ${type}`);
  return new cls({ ...data, ...meta } as never);
}
