import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** An operator acknowledged an alert. */
export class TdsAlertAcknowledgedEvent extends DomainEvent {
  static readonly types = ['tds.alert.acknowledged'] as const;
  declare readonly alertId: number;
  declare readonly acknowledgedBy: string;

  constructor(props: EventMeta & EventData<TdsAlertAcknowledgedEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsAlertAcknowledgedEvent.types[0];
  }
}
