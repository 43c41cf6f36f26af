import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A sync run started (emitted by the run lifecycle). */
export class TdsSyncStartedEvent extends DomainEvent {
  static readonly types = ['tds.sync.started'] as const;
  declare readonly syncRunId: number;
  /** webhook: a source's rolling run of the hour, announced by its first delivery (`total` counts that group's items only). */
  declare readonly kind: 'pull' | 'bulk' | 'replay' | 'webhook';
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
