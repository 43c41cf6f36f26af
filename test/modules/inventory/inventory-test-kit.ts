import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventBus } from '@nestjs/cqrs';
import { TdsEntitiesSyncedEvent } from '../../../src/modules/tds/public.js';
import type { EntityChange } from '../../../src/modules/tds/public.js';
import { DurableReactions } from '../../../src/shared/reactions/durable-reactions.js';

export const KEYS = { viewer: 'v-key', service: 's-key' } as const;
export const API_KEYS = Object.entries(KEYS)
  .map(([role, key]) => `${role}:${key}`)
  .join(',');

let arrival = 1_000_000;

/** An entity change as the relay composes it from an outbox row; a fresh event id and a later arrival each call. */
export function entityChange(
  entityType: string,
  sourceEntityId: string,
  version: number,
  data: Record<string, unknown>,
  overrides: Partial<EntityChange> = {},
): EntityChange {
  const operation = overrides.operation ?? 'update';
  return {
    eventId: randomUUID(),
    eventType: `tds.entity.${operation}`,
    occurredAt: new Date().toISOString(),
    source: 'zoho',
    entityType,
    sourceEntityId,
    operation,
    version,
    queueItemId: ++arrival,
    changes: {},
    data,
    ...overrides,
  };
}

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

/** Publishes one batch event as the outbox relay would, and waits for the durable reactions it started. */
export async function publishChanges(app: NestFastifyApplication, changes: EntityChange[]): Promise<void> {
  app.get(EventBus).publish(
    new TdsEntitiesSyncedEvent({ eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: null, causationId: null, changes }),
  );
  await app.get(DurableReactions).settled();
}

export function getAs(app: NestFastifyApplication, url: string, key: string | null = KEYS.viewer) {
  return app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
}
