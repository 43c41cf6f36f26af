import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/** An alert rule fired (emitted by the alert evaluation). */
export class TdsAlertTriggeredEvent extends DomainEvent {
  static readonly types = ['tds.alert.triggered'] as const;
  declare readonly alertId: number;
  declare readonly rule: string;
  declare readonly severity: 'info' | 'warning' | 'error' | 'critical';
  declare readonly message: string;
  declare readonly affectedCount: number;

  constructor(props: EventMeta & EventData<TdsAlertTriggeredEvent>) {
    super(props);
  }

  get eventType(): string {
    return TdsAlertTriggeredEvent.types[0];
  }
}
