import { createHash } from 'node:crypto';
import type { FieldError } from '../../../shared/errors/domain-error.js';
import { isStorableJson, storableText } from '../../../shared/json/storable-json.js';
import type { EntityOperation } from '../domain/queue-item.js';
import type { QueueItemInserter } from '../queue/queue-item-inserter.js';
import { headerValue } from './header-value.js';
import type { DeliveryItem, IncomingDelivery, MappingResult } from './webhook-delivery.js';

/** One delivery as it is stored: its inbox row and, when valid, the queue items it becomes. */
export interface InboxRecord {
  source: string;
  entityType: string | null;
  sourceEntityId: string | null;
  operation: EntityOperation | null;
  version: number | null;
  idempotencyKey: string;
  contentHash: string;
  /** The body as parsed; null when there is none, or none PostgreSQL could store. */
  rawPayload: unknown;
  /** The raw body's size: what a waiting delivery counts against TDS_INGEST_MAX_WAITING_BYTES. */
  bytes: number;
  headers: Record<string, string>;
  signatureVerified: boolean;
  receivedAt: Date;
  /** Set for a record versioned by its receipt time: a repeat of it within the replay window is a duplicate. */
  replayKey: string | null;
  /** Set: the delivery is refused, kept as an `invalid` row for audit, and queues nothing. */
  validationErrors: FieldError[] | null;
  items: readonly DeliveryItem[];
}

/** A delivery understood (or not), with its keys (delivery-idempotency.ts): what toInboxRecord stores. */
export interface DeliveryToStore {
  delivery: IncomingDelivery;
  mapping: MappingResult;
  idempotencyKey: string;
  replayKey: string | null;
}

/** Kept with every delivery beside the source's own signature, timestamp and delivery id headers. */
const STORED_HEADERS = ['content-type', 'content-length', 'user-agent'];
/** Headers are audit context, not data: a long one is cut rather than stored whole. */
const MAX_HEADER_CHARS = 1024;

const UNSTORABLE_BODY: FieldError = {
  path: '',
  message: 'The body must not contain NUL characters or unpaired surrogates (PostgreSQL cannot store them)',
};

/** The headers worth keeping for audit; signatures are not secrets, the source's secrets never appear in a request. */
function selectedHeaders({ source, headers }: IncomingDelivery): Record<string, string> {
  const names = [...STORED_HEADERS, source.signatureHeader, source.timestampHeader, source.deliveryIdHeader];
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = name === undefined ? undefined : headerValue(headers, name);
    if (name !== undefined && value !== undefined) kept[name] = storableText(value.slice(0, MAX_HEADER_CHARS));
  }
  return kept;
}

/** Absent as null; text that PostgreSQL cannot store only comes with a delivery refused anyway, and is kept legible. */
function storable(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}

/**
 * The inbox row (and queue items) for a delivery. A body PostgreSQL cannot store makes the
 * delivery invalid, whatever the mapping said: it is refused with a 422 like any other
 * unacceptable content, and its row keeps what can be stored.
 */
export function toInboxRecord({ delivery, mapping, idempotencyKey, replayKey }: DeliveryToStore): InboxRecord {
  // Only a `\u` escape in the text can put a NUL or a lone surrogate into the parsed body (raw ones are invalid JSON or UTF-8).
  const bodyStorable = delivery.body === undefined || !delivery.rawBody.includes('\\u') || isStorableJson(JSON.stringify(delivery.body));
  const primary = mapping.ok ? mapping.delivery : (mapping.primary ?? {});
  // Paths and messages may quote the body's own keys and values.
  const errors = mapping.ok ? [] : mapping.errors.map(({ path, message }) => ({ path: storableText(path), message: storableText(message) }));
  if (!bodyStorable) errors.push(UNSTORABLE_BODY);
  return {
    source: delivery.source.name,
    entityType: storable(primary.entityType),
    sourceEntityId: storable(primary.sourceEntityId),
    operation: primary.operation ?? null,
    version: primary.version ?? null,
    idempotencyKey,
    replayKey,
    contentHash: createHash('sha256').update(delivery.rawBody).digest('hex'),
    rawPayload: bodyStorable ? (delivery.body ?? null) : null,
    bytes: delivery.rawBody.length,
    headers: selectedHeaders(delivery),
    signatureVerified: true,
    receivedAt: new Date(delivery.receivedAt),
    validationErrors: errors.length > 0 ? errors : null,
    items: mapping.ok && errors.length === 0 ? mapping.delivery.items : [],
  };
}

export function toInboxRow(r: InboxRecord, queue: QueueItemInserter) {
  return {
    source: r.source,
    entity_type: r.entityType,
    source_entity_id: r.sourceEntityId,
    operation: r.operation,
    version: r.version,
    idempotency_key: r.idempotencyKey,
    content_hash: r.contentHash,
    raw_payload: r.rawPayload,
    headers: r.headers,
    signature_verified: r.signatureVerified,
    received_at: r.receivedAt,
    status: r.validationErrors === null ? 'queued' : 'invalid',
    validation_errors: r.validationErrors,
    replay_key: r.replayKey,
    items: r.items.map((item) => {
      const payloadKey = memberKey(r.rawPayload, item.payload);
      const row = queue.row({ ...item, source: r.source });
      return payloadKey === undefined ? row : { ...row, payload: null, payload_key: payloadKey };
    }),
  };
}

/** The key under which the body holds this very payload object, if it does. */
function memberKey(body: unknown, payload: object): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const [key, value] of Object.entries(body)) if (value === payload) return key;
  return undefined;
}
