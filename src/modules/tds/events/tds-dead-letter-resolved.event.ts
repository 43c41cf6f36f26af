import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/**
 * An operator closed a dead letter without replaying it. Its note stays in the table (free
 * text an operator typed does not travel to every subscriber); readers of dead-letter state (the
 * BFF's cache) learn here that it changed.
 */
export class TdsDeadLetterResolvedEvent extends DomainEvent {
  static readonly types = ['tds.deadletter.resolved'] as const;
  declare readonly deadLetterId: number;
  declare readonly resolvedBy: string;

  constructor(props: EventMeta & EventData<TdsDeadLetterResolvedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsDeadLetterResolvedEvent.types[0];
  }
}
