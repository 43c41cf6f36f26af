import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/json/canonical-json.js';
import { headerValue } from './header-value.js';
import type { IncomingDelivery, MappedDelivery } from './webhook-delivery.js';

/** A delivery id is used as sent when it is short printable ASCII; any other is hashed to bound the key. */
const PLAIN_DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The inbox's unique key for a delivery, so that a redelivery is recognised:
 * - the source's delivery id header when it has one and the request carries it:
 *   `<source>:id:<id>`;
 * - else a digest of what the delivery says: source, entity type, source id, operation,
 *   version and the canonical JSON of the body: `<source>:sha256:<hex>`. A real new edit (a new
 *   version, or new content at the same version) gets a new key; an invalid body (`mapped`
 *   undefined) is keyed by its content alone, so its redelivery finds its first refusal.
 * Receipt-time versions (price books) make each delivery of such a record distinct: dropping
 * the version would turn an edit back to earlier content into a "duplicate" and lose it, while
 * a redelivery applied twice is only `unchanged`.
 */
export function deliveryIdempotencyKey(delivery: IncomingDelivery, mapped: MappedDelivery | undefined): string {
  const { source } = delivery;
  const deliveryId = source.deliveryIdHeader === undefined ? undefined : headerValue(delivery.headers, source.deliveryIdHeader)?.trim();
  if (deliveryId) return `${source.name}:id:${PLAIN_DELIVERY_ID.test(deliveryId) ? deliveryId : `sha256:${sha256(deliveryId)}`}`;
  const identity = [source.name, mapped?.entityType, mapped?.sourceEntityId, mapped?.operation, mapped?.version].map((part) => part ?? null);
  return `${source.name}:sha256:${sha256(`${JSON.stringify(identity)}\n${canonicalJson(delivery.body ?? null)}`)}`;
}
