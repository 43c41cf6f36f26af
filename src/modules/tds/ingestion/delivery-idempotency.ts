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
 * Receipt-time versions (price books) make each delivery of such a record distinct here; the
 * replay key below is what makes a repeat of earlier content within the window a duplicate.
 */
export function deliveryIdempotencyKey(delivery: IncomingDelivery, mapped: MappedDelivery | undefined): string {
  const { source } = delivery;
  const deliveryId = source.deliveryIdHeader === undefined ? undefined : headerValue(delivery.headers, source.deliveryIdHeader)?.trim();
  if (deliveryId) return `${source.name}:id:${PLAIN_DELIVERY_ID.test(deliveryId) ? deliveryId : `sha256:${sha256(deliveryId)}`}`;
  return `${source.name}:sha256:${contentDigest(delivery, mapped, mapped?.version)}`;
}

/**
 * For a record versioned by its receipt time, what the delivery says without that version:
 * a delivery repeating an earlier one's replay key within the replay window is a duplicate
 * (INSERT_INBOX_GROUP_SQL), so a replayed old body cannot roll the record back. A delivery id
 * does not count: it is not signed, so a replay can carry a fresh one. Null for every other
 * delivery, whose own version already orders it.
 */
export function deliveryReplayKey(delivery: IncomingDelivery, mapped: MappedDelivery | undefined): string | null {
  return mapped?.versionFromReceipt ? `${delivery.source.name}:replay:${contentDigest(delivery, mapped, null)}` : null;
}

function contentDigest(delivery: IncomingDelivery, mapped: MappedDelivery | undefined, version: number | null | undefined): string {
  const identity = [delivery.source.name, mapped?.entityType, mapped?.sourceEntityId, mapped?.operation, version].map((part) => part ?? null);
  return sha256(`${JSON.stringify(identity)}\n${canonicalJson(delivery.body ?? null)}`);
}
