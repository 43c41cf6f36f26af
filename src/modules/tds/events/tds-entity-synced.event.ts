import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';
import type { EntityOperation } from '../domain/queue-item.js';

// The operation belongs to the queue item; the event carries it, and other modules read it here.
export type { EntityOperation };
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

function createdFields(data: Record<string, unknown>): FieldChanges {
  const changes: FieldChanges = {};
  for (const [field, value] of Object.entries(data)) changes[field] = { from: null, to: value };
  return changes;
}

/** A change applied to the mirror: `tds.entity.create` / `.update` / `.delete`, after its effect. */
export class TdsEntitySyncedEvent extends DomainEvent {
  static readonly types = ['tds.entity.create', 'tds.entity.update', 'tds.entity.delete'] as const;
  declare readonly source: string;
  declare readonly entityType: string;
  declare readonly sourceEntityId: string;
  declare readonly operation: EntityOperation;
  declare readonly version: number;
  declare readonly queueItemId: number;
  declare readonly changes: FieldChanges;
  declare readonly data: Record<string, unknown>;

  /** `changes` may be null for a create (so the outbox stores it): every field of `data`, from nothing. */
  constructor(props: EventMeta & Omit<EventData<TdsEntitySyncedEvent>, 'changes'> & { changes: FieldChanges | null }) {
    super(props);
    if (!props.changes) this.changes = createdFields(props.data);
  }

  get eventType(): string {
    return `tds.entity.${this.operation}`;
  }
}
