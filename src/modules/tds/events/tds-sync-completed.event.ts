import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** A sync run finished with every item applied, skipped or failed (status completed or partial). */
export class TdsSyncCompletedEvent extends DomainEvent {
  static readonly types = ['tds.sync.completed'] as const;
  declare readonly syncRunId: number;
  declare readonly entityType: string | null;
  declare readonly total: number;
  declare readonly succeeded: number;
  declare readonly failed: number;
  declare readonly skipped: number;
  declare readonly durationMs: number;

  constructor(props: EventMeta & EventData<TdsSyncCompletedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsSyncCompletedEvent.types[0];
  }
}
