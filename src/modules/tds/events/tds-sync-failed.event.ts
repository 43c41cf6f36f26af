import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A sync run failed as a whole. */
export class TdsSyncFailedEvent extends DomainEvent {
  static readonly types = ['tds.sync.failed'] as const;
  declare readonly syncRunId: number;
  declare readonly entityType: string | null;
  declare readonly errorCode: string;
  declare readonly errorMessage: string;

  constructor(props: EventMeta & EventData<TdsSyncFailedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsSyncFailedEvent.types[0];
  }
}
