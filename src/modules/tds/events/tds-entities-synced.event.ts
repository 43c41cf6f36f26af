import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';
import type { EntityOperation, FieldChanges } from './tds-entity-synced.event.js';

/** One entity change of a batch: the data of its `tds.entity.*` event, with that event's id and type. */
export interface EntityChange {
  /** The entity event's id: what a durable reaction receipts. */
  eventId: string;
  eventType: string;
  occurredAt: string;
  source: string;
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  /** The mirror's arrival sequence for this change (its queue item id): breaks version ties like the mirror does. */
  queueItemId: number;
  changes: FieldChanges;
  data: Record<string, unknown>;
}

/**
 * The entity changes the relay published in one pass, in outbox order, beside their one event
 * each: high-volume reactions apply a whole batch in one statement. Not stored: composed by the
 * relay from the entity events, so it carries no outbox row of its own; reactions receipt the
 * entity events inside it (`changes[].eventId`), which makes a redelivery in another grouping safe.
 */
export class TdsEntitiesSyncedEvent extends DomainEvent {
  static readonly types = ['tds.entities.synced'] as const;
  declare readonly changes: EntityChange[];

  constructor(props: EventMeta & EventData<TdsEntitiesSyncedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsEntitiesSyncedEvent.types[0];
  }
}
