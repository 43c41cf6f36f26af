import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export const KEYS = { viewer: 'viewer-key-0123456789abcd', service: 'service-key-0123456789abcd' } as const;
export const API_KEYS = Object.entries(KEYS)
  .map(([role, key]) => `${role}:${key}`)
  .join(',');

export { entityChange, publishChanges } from '../../support/entity-changes.js';

/** A Zoho item's fields as the mirror holds them. */
export const zohoProduct = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  item_id: id,
  name,
  sku: `SKU-${id}`,
  rate: 10,
  unit: 'pcs',
  status: 'active',
  ...extra,
});

export const zohoLevel = (itemId: string, warehouseId: string, onHand: number, extra: Record<string, unknown> = {}) => ({
  item_id: itemId,
  warehouse_id: warehouseId,
  warehouse_name: `Warehouse ${warehouseId}`,
  warehouse_stock_on_hand: onHand,
  warehouse_available_stock: onHand - 1,
  ...extra,
});

export function getAs(app: NestFastifyApplication, url: string, key: string | null = KEYS.viewer) {
  return app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
}
