import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A queue item could not be applied and now waits for an operator in `tds_dead_letters`. */
export class TdsDeadLetterEvent extends DomainEvent {
  static readonly types = ['tds.deadletter.added'] as const;
  declare readonly deadLetterId: number;
  declare readonly queueItemId: number;
  declare readonly entityType: string;
  declare readonly sourceEntityId: string;
  declare readonly errorCode: string;
  declare readonly failureReason: string;
  declare readonly attempts: number;

  constructor(props: EventMeta & EventData<TdsDeadLetterEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsDeadLetterEvent.types[0];
  }
}
