import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A sync run started (emitted by the run lifecycle). */
export class TdsSyncStartedEvent extends DomainEvent {
  static readonly types = ['tds.sync.started'] as const;
  declare readonly syncRunId: number;
  declare readonly kind: 'pull' | 'bulk' | 'replay';
  declare readonly source: string;
  declare readonly entityType: string | null;
  declare readonly total: number | null;

  constructor(props: EventMeta & EventData<TdsSyncStartedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsSyncStartedEvent.types[0];
  }
}
