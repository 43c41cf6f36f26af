import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IngestConfig } from '../../../shared/config/ingest.config.js';
import type { FieldError } from '../../../shared/errors/domain-error.js';
import { parseVersion } from '../domain/version.js';
import type { EntityOperation } from '../domain/queue-item.js';
import type { EntityProcessor } from '../processors/entity-processor.js';
import { EntityProcessorRegistry } from '../processors/entity-processor.registry.js';
import type { IncomingDelivery, MappingResult } from './webhook-delivery.js';
import { WebhookUnauthorizedError } from './webhook.errors.js';

/** Zoho's default webhook payload wraps the record under its module's key. */
const ENTITY_TYPE_BY_MODULE: Readonly<Record<string, string>> = {
  item: 'product',
  contact: 'customer',
  invoice: 'invoice',
  salesorder: 'sales_order',
  pricebook: 'price_list',
  inventory_adjustment: 'inventory_adjustment',
};
const MODULES = Object.keys(ENTITY_TYPE_BY_MODULE);

/** `<module>.<action>`, as configured on the webhook URL: `?event=item.deleted`. */
const EVENT = /^([a-z_]+)\.(created|updated|deleted)$/;
const OPERATION_BY_ACTION: Readonly<Record<string, EntityOperation>> = { created: 'create', updated: 'update', deleted: 'delete' };

/**
 * Body fields that may name the event inside the signed body: Zoho workflow webhooks can add
 * custom parameters to the body, e.g. `"event_type": "item.deleted"`. Such a field is the
 * delete marker that lets a delete through when the query string is not signed.
 */
const BODY_EVENT_FIELDS = ['event_type', 'event'];

/** The item fields each of its stock levels repeats, so a level reads on its own. */
const ITEM_FIELDS_ON_STOCK_LEVELS = ['sku', 'name', 'last_modified_time'];

/** Zoho sends "" for a timestamp nobody set; price books have none at all. */
function hasNoTimestamp(record: Record<string, unknown>): boolean {
  const raw = record.last_modified_time;
  return raw === undefined || raw === null || raw === '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A payload's field error, addressed from the body (`item.sku`). */
function under(prefix: string, { path, message }: FieldError): FieldError {
  return { path: path === '' ? prefix : `${prefix}.${path}`, message };
}

/** The operation an event names, or why it names none for this module. */
function eventOperation(path: string, value: unknown, module: string): EntityOperation | FieldError {
  const match = typeof value === 'string' ? EVENT.exec(value) : null;
  if (match && match[1] === module) return OPERATION_BY_ACTION[match[2]];
  const allowed = Object.keys(OPERATION_BY_ACTION).map((action) => `${module}.${action}`);
  return { path, message: `${path} must be one of ${allowed.join(', ')} (the body's record is under "${module}")` };
}

/**
 * Maps Zoho's module-keyed payloads (`{"item": {...}}`) to queue items. The record is kept
 * verbatim as the payload; its id field is the source id; `last_modified_time` the version
 * (the receipt time when absent, as for price books); the operation comes from the `event`
 * query parameter configured on the webhook URL or an event field in the body (default update).
 * An item's `warehouses[]` also become stock levels, at most TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM.
 */
@Injectable()
export class ZohoDeliveryMapper {
  private readonly stockLevel: EntityProcessor;
  private readonly maxStockLevelsPerItem: number;

  constructor(
    private readonly processors: EntityProcessorRegistry,
    config: ConfigService,
  ) {
    this.stockLevel = processors.get('stock_level');
    this.maxStockLevelsPerItem = config.getOrThrow<IngestConfig>('ingest').maxStockLevelsPerItem;
  }

  map(delivery: IncomingDelivery): MappingResult {
    const { body } = delivery;
    if (!isRecord(body)) return { ok: false, errors: [{ path: '', message: 'The body must be a JSON object' }] };
    const modules = MODULES.filter((module) => Object.hasOwn(body, module));
    if (modules.length !== 1) {
      const message =
        modules.length === 0
          ? `The body must carry one Zoho record under its module key: one of ${MODULES.join(', ')}`
          : `The body carries several module keys (${modules.join(', ')}); a delivery carries exactly one record`;
      return { ok: false, errors: [{ path: '', message }] };
    }
    const [module] = modules;
    const entityType = ENTITY_TYPE_BY_MODULE[module];
    const operation = this.operation(delivery, body, module);
    if (Array.isArray(operation)) return { ok: false, errors: operation, primary: { entityType } };

    const record = body[module];
    if (!isRecord(record)) {
      return { ok: false, errors: [{ path: module, message: `${module} must be a JSON object` }], primary: { entityType, operation } };
    }
    const processor = this.processors.get(entityType);
    const tooManyLevels = module === 'item' ? this.tooManyStockLevels(record) : undefined;
    // An item's `warehouses[]` entries are validated once, by the stock level rules (a stricter
    // superset of the item's rules for them), not by the item's rules too: at the cap that halves
    // the work. Over the cap they are not read at all: refusing a 20,000-entry item must cost no
    // more than accepting one at the cap. The rest of the item is still checked, so a refusal
    // lists every other problem too.
    const validated = module === 'item' && Array.isArray(record.warehouses) ? { ...record, warehouses: [] } : record;
    const errors = processor.validate(validated, operation).map((error) => under(module, error));
    if (tooManyLevels) errors.push(tooManyLevels);
    const version = this.version(record, module, delivery.receivedAt, errors);
    const levels = module === 'item' && !tooManyLevels ? this.stockLevelPayloads(record, operation, errors) : [];
    // An id its rules refuse (empty, an object) is not worth reporting as the record's id.
    const idPath = `${module}.${processor.idField}`;
    const sourceEntityId = errors.some((error) => error.path === idPath) ? undefined : processor.sourceEntityIdOf(record);
    if (errors.length > 0 || sourceEntityId === undefined || version === undefined) {
      return { ok: false, errors, primary: { entityType, sourceEntityId, operation, version } };
    }
    const items = [
      { entityType, sourceEntityId, operation, version, payload: record },
      ...levels.map((payload) => ({
        entityType: this.stockLevel.entityType,
        sourceEntityId: this.stockLevel.sourceEntityIdOf(payload) as string,
        operation,
        version,
        payload,
      })),
    ];
    const versionFromReceipt = hasNoTimestamp(record);
    return { ok: true, delivery: { entityType, sourceEntityId, operation, version, versionFromReceipt, items } };
  }

  /**
   * From the query's `event` or the body's event field, which must agree when both are given;
   * update when neither is. Under `signedContent: body` the query is unsigned, so a delete it
   * asks for is refused (401, nothing stored) unless the signed body carries the delete marker.
   */
  private operation(delivery: IncomingDelivery, body: Record<string, unknown>, module: string): EntityOperation | FieldError[] {
    const queryEvent = delivery.query.event;
    const fromQuery = Array.isArray(queryEvent)
      ? { path: 'query.event', message: 'query.event must be given once' }
      : queryEvent === undefined
        ? undefined
        : eventOperation('query.event', queryEvent, module);
    const bodyField = BODY_EVENT_FIELDS.find((field) => body[field] !== undefined);
    const fromBody = bodyField === undefined ? undefined : eventOperation(bodyField, body[bodyField], module);
    if (typeof fromQuery === 'object' || typeof fromBody === 'object') {
      return [fromQuery, fromBody].filter((found): found is FieldError => typeof found === 'object');
    }
    if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
      return [{ path: bodyField as string, message: `${bodyField} names another event than query.event` }];
    }
    const operation = fromQuery ?? fromBody ?? 'update';
    if (operation === 'delete' && delivery.source.signedContent === 'body' && fromBody === undefined) {
      throw new WebhookUnauthorizedError(
        'WEBHOOK.UNSIGNED_DELETE',
        `Source "${delivery.source.name}" signs only the body, so an event in the query cannot delete: ` +
          `put "event_type": "${module}.deleted" in the body, or sign the query too (SIGNED_CONTENT query+body)`,
        delivery.source,
      );
    }
    return operation;
  }

  /** `last_modified_time` as epoch ms; the receipt time for a record without one (Zoho sends "" for none). */
  private version(record: Record<string, unknown>, module: string, receivedAt: number, errors: FieldError[]): number | undefined {
    if (hasNoTimestamp(record)) return receivedAt;
    const raw = record.last_modified_time;
    const parsed = parseVersion(raw);
    if (parsed.ok) return parsed.value;
    const path = `${module}.last_modified_time`;
    // Entity types whose rules check the field have reported it already.
    if (!errors.some((error) => error.path === path)) {
      errors.push({ path, message: parsed.message.replace(/^version/, 'last_modified_time') });
    }
    return undefined;
  }

  /** Why the item's `warehouses[]` cannot become stock levels: more entries than the cap. */
  private tooManyStockLevels(item: Record<string, unknown>): FieldError | undefined {
    const { warehouses } = item;
    if (!Array.isArray(warehouses) || warehouses.length <= this.maxStockLevelsPerItem) return undefined;
    return {
      path: 'item.warehouses',
      message:
        `item.warehouses has ${warehouses.length} entries; an item may yield at most ${this.maxStockLevelsPerItem} stock levels ` +
        '(TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM)',
    };
  }

  /**
   * One stock level payload per entry of the item's `warehouses[]`: the entry's figures with the
   * item's id (source id `<item_id>:<warehouse_id>`), validated for the item's operation (a
   * deleted item deletes the levels it lists). This is the only validation of the entries.
   * Problems are reported where they are in the body; those of the fields taken from the item
   * are the item's own, reported already.
   */
  private stockLevelPayloads(item: Record<string, unknown>, operation: EntityOperation, errors: FieldError[]): Record<string, unknown>[] {
    const { warehouses } = item;
    if (!Array.isArray(warehouses)) return [];
    const fromItem: Record<string, unknown> = {};
    for (const field of ITEM_FIELDS_ON_STOCK_LEVELS) if (item[field] !== undefined) fromItem[field] = item[field];
    const payloads: Record<string, unknown>[] = [];
    warehouses.forEach((warehouse: unknown, index) => {
      const path = `item.warehouses[${index}]`;
      if (!isRecord(warehouse)) {
        errors.push({ path, message: `${path} must be a JSON object` });
        return;
      }
      const payload = { ...fromItem, ...warehouse, item_id: item.item_id };
      for (const error of this.stockLevel.validate(payload, operation)) {
        const isItemField = error.path === 'item_id' || (Object.hasOwn(fromItem, error.path) && !Object.hasOwn(warehouse, error.path));
        if (!isItemField) errors.push(under(path, error));
      }
      payloads.push(payload);
    });
    return payloads;
  }
}
