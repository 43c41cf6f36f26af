import { DomainEvent } from '../../../shared/events/domain-event.js';
import type { EventData, EventMeta } from '../../../shared/events/domain-event.js';

/**
 * Published on the EventBus after the catalogue reaction committed (in process, not stored):
 * these products' reads are stale. Lost in a crash, it costs only staleness until the TTL.
 */
export class InventoryProductsChangedEvent extends DomainEvent {
  static readonly types = ['inventory.products.changed'] as const;
  declare readonly productIds: number[];
  /** A product row itself changed (not only stock levels): list pages are stale too. */
  declare readonly listsChanged: boolean;

  constructor(props: EventMeta & EventData<InventoryProductsChangedEvent>) {
    super(props);
  }

  get eventType(): string {
    return InventoryProductsChangedEvent.types[0];
  }
}
