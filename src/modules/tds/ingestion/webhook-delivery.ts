import type { WebhookSource } from '../../../shared/config/webhooks.config.js';
import type { FieldError } from '../../../shared/errors/domain-error.js';
import type { EntityOperation } from '../domain/queue-item.js';

// A source is configuration: its type lives with the config that parses it (src/shared sits
// below the modules), and is re-exported here as part of the ingestion contract.
export type { SignedContent, SourceShape, WebhookSource } from '../../../shared/config/webhooks.config.js';

/** A delivery as it arrives: raw bytes (what was signed), parsed JSON, headers and query. */
export interface IncomingDelivery {
  source: WebhookSource;
  rawBody: Buffer;
  body: unknown;
  /** Lower-case names, as Fastify gives them. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
  /** Epoch ms on receipt: the version of a record whose source gives none (Zoho price books). */
  receivedAt: number;
}

/** One queue item a delivery becomes. */
export interface DeliveryItem {
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  /** 1..10, higher first; set only by a generic envelope that names one (absent: the queue's default). */
  priority?: number;
  payload: Record<string, unknown>;
}

/** A delivery understood: its primary record (for the inbox row) and every item it yields. */
export interface MappedDelivery {
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  /** The version is the receipt time: the source gives the record none (Zoho price books). */
  versionFromReceipt?: boolean;
  items: DeliveryItem[];
}

/**
 * Mapping either understands a delivery or says why not, field by field (422, and the delivery
 * is kept as an `invalid` inbox row). `primary` carries what could be read of an invalid
 * delivery (entity type, source id), for the inbox row; absent when nothing could.
 */
export type MappingResult =
  | { ok: true; delivery: MappedDelivery }
  | { ok: false; errors: FieldError[]; primary?: Partial<Omit<MappedDelivery, 'items'>> };
