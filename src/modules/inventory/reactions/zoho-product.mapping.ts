import type { EntityChange } from '../../tds/public.js';
import type { ProductKey } from '../commands/deactivate-products/deactivate-products.command.js';
import type { StockLevelChange } from '../commands/set-stock-levels/set-stock-levels.command.js';
import type { ProductUpsert } from '../commands/upsert-products/upsert-products.command.js';

/*
 * The one place that knows how Zoho records (as TDS mirrors them) become inventory rows.
 * Products: a Zoho Inventory item (`item_id`, `name`, `sku`, `rate`, `unit`, `status`).
 * Stock levels: one warehouse entry of an item (`item_id`, `warehouse_id`, `warehouse_name`,
 * `warehouse_stock_on_hand`, `warehouse_available_stock`), source id `<item_id>:<warehouse_id>`.
 */

export const PRODUCT_ENTITY_TYPE = 'product';
export const STOCK_LEVEL_ENTITY_TYPE = 'stock_level';
export const CATALOGUE_ENTITY_TYPES: readonly string[] = [PRODUCT_ENTITY_TYPE, STOCK_LEVEL_ENTITY_TYPE];

/** What one batch of entity changes asks of the catalogue commands. */
export interface CataloguePlan {
  products: ProductUpsert[];
  deactivations: ProductKey[];
  stockLevels: StockLevelChange[];
}

/**
 * A change the inventory cannot represent. TDS validates these payloads before they reach the
 * mirror, so this is a contract break: it fails the event, which the durable reaction records
 * (and retries, and alerts on) rather than dropping it unseen.
 */
export class UnmappableChangeError extends Error {
  constructor(change: EntityChange, reason: string) {
    super(`${change.entityType} ${change.sourceEntityId} (event ${change.eventId}): ${reason}`);
    this.name = UnmappableChangeError.name;
  }
}

/** numeric(18,4): 14 digits before the point. Larger values would fail the whole statement. */
const DECIMAL_LIMIT = 1e14;
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type Decimal = { ok: true; value: string | null } | { ok: false };

/**
 * A Zoho number, which arrives as a JSON number or as numeric text; absent, null and `""` mean
 * none. Numeric text is kept as written, so the database rounds it exactly, not a float.
 */
export function toDecimal(value: unknown): Decimal {
  if (value === undefined || value === null || value === '') return { ok: true, value: null };
  if (typeof value === 'number') {
    return Number.isFinite(value) && Math.abs(value) < DECIMAL_LIMIT ? { ok: true, value: String(value) } : { ok: false };
  }
  if (typeof value === 'string') {
    const text = value.trim();
    return DECIMAL_TEXT.test(text) && Math.abs(Number(text)) < DECIMAL_LIMIT ? { ok: true, value: text } : { ok: false };
  }
  return { ok: false };
}

/** Text fields: Zoho's `""` is "not set". Ids may be numbers. */
function toText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function decimalField(change: EntityChange, field: string): string | null {
  const parsed = toDecimal(change.data[field]);
  if (!parsed.ok) throw new UnmappableChangeError(change, `${field} is not a number within numeric(18,4)`);
  return parsed.value;
}

/** Zoho's item status is `active` or `inactive`; a record without one (another source) counts as active. */
function isActiveStatus(status: string | null): boolean {
  return status === null || status === 'active';
}

export function productFromChange(change: EntityChange): ProductUpsert {
  const name = toText(change.data.name);
  if (name === null) throw new UnmappableChangeError(change, 'name is missing');
  const status = toText(change.data.status);
  return {
    source: change.source,
    sourceId: change.sourceEntityId,
    sku: toText(change.data.sku),
    name,
    price: decimalField(change, 'rate'),
    unit: toText(change.data.unit),
    status,
    active: isActiveStatus(status),
    version: change.version,
    arrivalSeq: change.queueItemId,
  };
}

export function productKeyFromChange(change: EntityChange): ProductKey {
  return { source: change.source, sourceId: change.sourceEntityId, version: change.version, arrivalSeq: change.queueItemId };
}

/** The item and warehouse ids: the payload's, else the source id's halves (`<item_id>:<warehouse_id>`). */
function stockLevelKey(change: EntityChange): { productSourceId: string; warehouseId: string } {
  const itemId = toText(change.data.item_id);
  const warehouseId = toText(change.data.warehouse_id);
  if (itemId !== null && warehouseId !== null) return { productSourceId: itemId, warehouseId };
  const colon = change.sourceEntityId.indexOf(':');
  if (colon <= 0 || colon === change.sourceEntityId.length - 1) {
    throw new UnmappableChangeError(change, 'no item_id and warehouse_id, and the source id is not <item_id>:<warehouse_id>');
  }
  return { productSourceId: change.sourceEntityId.slice(0, colon), warehouseId: change.sourceEntityId.slice(colon + 1) };
}

export function stockLevelFromChange(change: EntityChange): StockLevelChange {
  const deleted = change.operation === 'delete';
  const onHand = decimalField(change, 'warehouse_stock_on_hand');
  if (onHand === null && !deleted) throw new UnmappableChangeError(change, 'warehouse_stock_on_hand is missing');
  const available = change.data.warehouse_available_stock ?? change.data.warehouse_available_for_sale_stock;
  const parsedAvailable = toDecimal(available);
  if (!parsedAvailable.ok) throw new UnmappableChangeError(change, 'warehouse_available_stock is not a number within numeric(18,4)');
  return {
    source: change.source,
    ...stockLevelKey(change),
    warehouseName: toText(change.data.warehouse_name),
    onHand,
    available: parsedAvailable.value,
    deleted,
    version: change.version,
    arrivalSeq: change.queueItemId,
  };
}

/** Sorts a batch of changes into the three commands; changes of other entity types are ignored. */
export function planCatalogue(changes: readonly EntityChange[]): CataloguePlan {
  const plan: CataloguePlan = { products: [], deactivations: [], stockLevels: [] };
  for (const change of changes) {
    if (change.entityType === PRODUCT_ENTITY_TYPE) {
      if (change.operation === 'delete') plan.deactivations.push(productKeyFromChange(change));
      else plan.products.push(productFromChange(change));
    } else if (change.entityType === STOCK_LEVEL_ENTITY_TYPE) {
      plan.stockLevels.push(stockLevelFromChange(change));
    }
  }
  return plan;
}
