import { createHmac } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../src/shared/database/sql.js';
import { KEYS } from '../enqueue/enqueue-test-kit.js';
import { zohoContact, zohoInventoryAdjustment, zohoInvoice, zohoItem, zohoPricebook, zohoSalesOrder } from '../fixtures/zoho-payloads.js';

export { KEYS };

export const SECRETS = { zoho: 'zoho-secret-1', generic: 'generic-secret-1', slow: 'slow-secret-1' } as const;

/** Headers the test sources sign with (lower case, as configured). */
export const SIGNATURE_HEADER = { zoho: 'x-zoho-webhook-signature', generic: 'x-tds-signature', slow: 'x-tds-signature' } as const;

/**
 * Three sources: zoho and generic with their defaults, and `slow`, a generic-shaped source
 * limited to 2 deliveries/s for the 429 test.
 */
export const webhookEnv = {
  TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_SOURCES: 'zoho,generic,slow',
  TDS_SOURCES_ZOHO_SECRETS: SECRETS.zoho,
  TDS_SOURCES_GENERIC_SECRETS: SECRETS.generic,
  TDS_SOURCES_SLOW_SHAPE: 'generic',
  TDS_SOURCES_SLOW_SECRETS: SECRETS.slow,
  TDS_SOURCES_SLOW_RATE_LIMIT: '2',
};

/**
 * The sources above on an in-memory PGlite, without workers, each request written at once (no
 * group window): for tests of how single requests are answered.
 */
export const embeddedWebhookEnv = {
  ...webhookEnv,
  DATABASE_URL: '',
  TDS_DATA_DIR: 'memory',
  TDS_WORKERS_ENABLED: 'false',
  TDS_INGEST_GROUP_WINDOW_MS: '0',
};

/** HMAC-SHA256 hex of the raw body, the `body` signed-content scheme; with a timestamp, of `<timestamp>.<body>`. */
export function sign(body: string | Buffer, secret: string, timestamp?: string): string {
  const hmac = createHmac('sha256', secret);
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  return hmac.update(body).digest('hex');
}

type Source = keyof typeof SECRETS;

export interface DeliverOptions {
  /** The query string without `?`, e.g. `event=item.updated`. */
  query?: string;
  /** false: no signature header; a string: that header value. Default: the correct signature. */
  signature?: boolean | string;
  headers?: Record<string, string>;
  /** Send `body` as is (a string or bytes) instead of JSON-encoding it. */
  raw?: boolean;
  /** The client's address, as the server sees it (default 127.0.0.1). */
  remoteAddress?: string;
}

/** POSTs a delivery to /api/tds/webhooks/:source, signed with the source's secret unless told otherwise. */
export function deliver(app: NestFastifyApplication, source: string, body: unknown, options: DeliverOptions = {}) {
  const payload = options.raw ? (body as string | Buffer) : JSON.stringify(body);
  const known = Object.hasOwn(SECRETS, source);
  const secret = known ? SECRETS[source as Source] : 'no-such-secret';
  const header = known ? SIGNATURE_HEADER[source as Source] : 'x-tds-signature';
  const signature = options.signature ?? true;
  const signatureHeaders: Record<string, string> =
    signature === false ? {} : { [header]: signature === true ? sign(payload, secret) : signature };
  return app.inject({
    method: 'POST',
    url: `/api/tds/webhooks/${source}${options.query ? `?${options.query}` : ''}`,
    headers: { 'content-type': 'application/json', ...signatureHeaders, ...options.headers },
    payload,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** Zoho's default payload for each module key, with the fixtures' realistic records. */
export const zohoDeliveries = {
  item: { entityType: 'product', sourceEntityId: zohoItem.item_id, body: { item: zohoItem } },
  contact: { entityType: 'customer', sourceEntityId: zohoContact.contact_id, body: { contact: zohoContact } },
  invoice: { entityType: 'invoice', sourceEntityId: zohoInvoice.invoice_id, body: { invoice: zohoInvoice } },
  salesorder: { entityType: 'sales_order', sourceEntityId: zohoSalesOrder.salesorder_id, body: { salesorder: zohoSalesOrder } },
  pricebook: { entityType: 'price_list', sourceEntityId: zohoPricebook.pricebook_id, body: { pricebook: zohoPricebook } },
  inventory_adjustment: {
    entityType: 'inventory_adjustment',
    sourceEntityId: zohoInventoryAdjustment.inventory_adjustment_id,
    body: { inventory_adjustment: zohoInventoryAdjustment },
  },
} as const;

export function sql<T = Record<string, unknown>>(app: NestFastifyApplication, text: string, params: unknown[] = []): Promise<T[]> {
  return queryRows<T>(app.get(DataSource), text, params);
}

export async function countStored(app: NestFastifyApplication): Promise<{ inbox: number; queue: number }> {
  const [row] = await sql<{ inbox: number; queue: number }>(
    app,
    `SELECT (SELECT count(*)::int FROM tds_inbox_events) AS inbox, (SELECT count(*)::int FROM tds_sync_queue) AS queue`,
  );
  return row;
}

