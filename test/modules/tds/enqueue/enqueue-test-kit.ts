import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../src/shared/database/sql.js';
import { zohoItem } from '../fixtures/zoho-payloads.js';

/** One key per role, as TDS_API_KEYS takes them. */
export const KEYS = {
  viewer: 'viewer-key-0123456789abcd',
  service: 'service-key-0123456789abcd',
  operator: 'operator-key-0123456789abcd',
  admin: 'admin-key-0123456789abcd',
} as const;

export const appEnv = {
  TDS_WORKERS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
};

export function postQueue(
  app: NestFastifyApplication,
  body: unknown,
  options: { key?: string | null; headers?: Record<string, string>; raw?: boolean } = {},
) {
  const key = options.key === undefined ? KEYS.service : options.key;
  return app.inject({
    method: 'POST',
    url: '/api/tds/queue',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...options.headers },
    payload: options.raw ? (body as string) : JSON.stringify(body),
  });
}

export function getAs(app: NestFastifyApplication, url: string, key: string | null = KEYS.viewer) {
  return app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
}

/** A valid product item; `n` varies the id. */
export function productItem(n: number, overrides: Record<string, unknown> = {}) {
  const id = `item-${n}`;
  return {
    entityType: 'product',
    sourceEntityId: id,
    operation: 'update',
    version: '2025-11-18T02:02:51+0300',
    payload: { ...zohoItem, item_id: id, sku: `SKU-${n}` },
    ...overrides,
  };
}

export async function countRows(app: NestFastifyApplication) {
  const [row] = await queryRows<{ queue: number; runs: number; keys: number; inbox: number }>(
    app.get(DataSource),
    `SELECT (SELECT count(*)::int FROM tds_sync_queue) AS queue, (SELECT count(*)::int FROM tds_sync_runs) AS runs,
            (SELECT count(*)::int FROM tds_idempotency_keys) AS keys, (SELECT count(*)::int FROM tds_inbox_events) AS inbox`,
  );
  return row;
}
