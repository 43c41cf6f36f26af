/** What every domain event carries beside its data (ARCHITECTURE §4). */
export interface EventMeta {
  eventId: string;
  /** ISO-8601, the database clock at the moment the event was written. */
  occurredAt: string;
  /** The delivery or request that started the chain (`inbox:12`, `sync-run:7`). */
  correlationId: string | null;
  /** The event or command that directly caused this one (`queue-item:42`). */
  causationId: string | null;
}

/** An event class's own fields: everything but the meta and the type getter. */
export type EventData<T> = Omit<{ [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] }, keyof EventMeta | 'eventType'>;

/**
 * Base of every domain event. Events are plain, JSON-serialisable data; they are written to
 * the outbox as (type, meta, data) and turned back into class instances by the relay, because
 * @nestjs/cqrs routes events to handlers by class.
 */
export abstract class DomainEvent implements EventMeta {
  declare readonly eventId: string;
  declare readonly occurredAt: string;
  declare readonly correlationId: string | null;
  declare readonly causationId: string | null;

  abstract get eventType(): string;

  protected constructor(props: EventMeta & object) {
    Object.assign(this, props);
  }
}
