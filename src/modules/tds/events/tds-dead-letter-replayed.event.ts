import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** An operator put a dead letter back on the queue as a new item with fresh attempts. */
export class TdsDeadLetterReplayedEvent extends DomainEvent {
  static readonly types = ['tds.deadletter.replayed'] as const;
  declare readonly deadLetterId: number;
  declare readonly queueItemId: number;
  declare readonly replayedBy: string;

  constructor(props: EventMeta & EventData<TdsDeadLetterReplayedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsDeadLetterReplayedEvent.types[0];
  }
}
