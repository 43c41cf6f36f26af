import type { FieldError } from '../../../shared/errors/domain-error.js';
import type { EntityOperation } from '../events/tds-entity-synced.event.js';

/** One field-level problem with a payload; `path` is relative to the payload (`sku`, `line_items[0].rate`, `''` for the payload itself). */
export type PayloadFieldError = FieldError;

/**
 * What TDS knows about one entity type: how to validate its payload (Zoho's field names)
 * and which fields matter. One processor per entity type, registered in the
 * EntityProcessorRegistry; unknown entity types are refused at enqueue.
 */
export interface EntityProcessor {
  readonly entityType: string;
  /** The payload field that carries the source id (Zoho's `item_id`, `contact_id`, …). */
  readonly idField: string;
  /**
   * The payload fields whose values, joined by `:`, make the source id: `[idField]` for most
   * types, `['item_id', 'warehouse_id']` for a stock level (one item in one warehouse).
   */
  readonly keyFields: readonly string[];
  /** The fields downstream modules read; validated strictly, everything else is kept as-is. */
  readonly fields: readonly string[];
  /**
   * Validates a payload; an empty list means valid. Extra fields are allowed and kept.
   * A delete needs only the key fields. With `sourceEntityId`, the payload's key must match it.
   */
  validate(payload: Record<string, unknown>, operation: EntityOperation, sourceEntityId?: string): PayloadFieldError[];
  /** The source id the payload's key fields make, or undefined when one is missing. */
  sourceEntityIdOf(payload: Record<string, unknown>): string | undefined;
}
