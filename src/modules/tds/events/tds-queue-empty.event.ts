import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A worker found the queue drained after applying work. */
export class TdsQueueEmptyEvent extends DomainEvent {
  static readonly types = ['tds.queue.empty'] as const;
  declare readonly workerId: string;
  declare readonly lastProcessedAt: string;

  constructor(props: EventMeta & EventData<TdsQueueEmptyEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsQueueEmptyEvent.types[0];
  }
}
