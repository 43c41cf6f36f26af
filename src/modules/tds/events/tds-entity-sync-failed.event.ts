import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** An attempt to apply a queue item failed; `nextAttemptAt` is null when it was dead-lettered. */
export class TdsEntitySyncFailedEvent extends DomainEvent {
  static readonly types = ['tds.entity.sync_failed'] as const;
  declare readonly source: string;
  declare readonly entityType: string;
  declare readonly sourceEntityId: string;
  declare readonly queueItemId: number;
  declare readonly errorCode: string;
  declare readonly errorMessage: string;
  declare readonly attempt: number;
  declare readonly nextAttemptAt: string | null;

  constructor(props: EventMeta & EventData<TdsEntitySyncFailedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsEntitySyncFailedEvent.types[0];
  }
}
