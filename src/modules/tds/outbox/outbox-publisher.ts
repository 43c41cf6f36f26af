import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import { DurableReactions } from '../../../shared/reactions/durable-reactions.js';
import { eventFromOutbox } from '../events/event-catalogue.js';
import { TdsEntitiesSyncedEvent } from '../events/tds-entities-synced.event.js';
import type { EntityChange } from '../events/tds-entities-synced.event.js';
import { TdsEntitySyncedEvent } from '../events/tds-entity-synced.event.js';

/** An outbox row as the relay and the redelivery sweep read it. */
export interface OutboxRow {
  id: number;
  eventId: string;
  eventType: string;
  correlationId: string | null;
  causationId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** The columns of an OutboxRow, for the statements that read them. */
export const OUTBOX_ROW_COLUMNS = `o.id, o.event_id AS "eventId", o.event_type AS "eventType",
  o.correlation_id AS "correlationId", o.causation_id AS "causationId", o.payload, o.created_at AS "createdAt"`;

/**
 * Turns outbox rows back into event class instances and publishes them on the EventBus: each
 * row as its own event, in id order, and the entity changes among them once more as one
 * TdsEntitiesSyncedEvent for the reactions that work in batches. The durable reactions run in
 * the background; `settled` lets a publisher wait for them so it never runs far ahead.
 */
@Injectable()
export class OutboxPublisher {
  constructor(
    private readonly eventBus: EventBus,
    private readonly reactions: DurableReactions,
  ) {}

  publish(rows: readonly OutboxRow[]): void {
    const ordered = [...rows].sort((a, b) => a.id - b.id);
    const events: DomainEvent[] = ordered.map((row) =>
      eventFromOutbox(
        row.eventType,
        { eventId: row.eventId, occurredAt: new Date(row.createdAt).toISOString(), correlationId: row.correlationId, causationId: row.causationId },
        row.payload,
      ),
    );
    const changes = events.filter((event): event is TdsEntitySyncedEvent => event instanceof TdsEntitySyncedEvent).map(toChange);
    if (changes.length > 0) {
      events.push(
        new TdsEntitiesSyncedEvent({ eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: null, causationId: null, changes }),
      );
    }
    this.eventBus.publishAll(events);
  }

  /** Resolves once at most `batches` publications' worth of durable reactions are still running. */
  settled(batches = 0): Promise<void> {
    return this.reactions.settled(batches * this.reactions.registrations.length);
  }
}

function toChange(event: TdsEntitySyncedEvent): EntityChange {
  const { eventId, eventType, occurredAt, source, entityType, sourceEntityId, operation, version, queueItemId, changes, data } = event;
  return { eventId, eventType, occurredAt, source, entityType, sourceEntityId, operation, version, queueItemId, changes, data };
}
