import 'reflect-metadata';
import { UnauthorizedError } from '../../../../src/shared/errors/domain-error.js';
import type { IncomingDelivery, MappedDelivery, MappingResult } from '../../../../src/modules/tds/ingestion/webhook-delivery.js';
import {
  zohoContact,
  zohoInventoryAdjustment,
  zohoInvoice,
  zohoItem,
  zohoPricebook,
  zohoSalesOrder,
} from '../fixtures/zoho-payloads.js';
import { delivery, deliveryMapper, genericSource, NOW_MS, thrown, zohoSource } from './webhook-test-kit.js';

const mapper = deliveryMapper();
/** 2025-11-18T02:02:51+0300, the fixtures' last_modified_time. */
const FIXTURE_VERSION = Date.UTC(2025, 10, 17, 23, 2, 51);

function mapped(result: MappingResult): MappedDelivery {
  if (!result.ok) throw new Error(`expected a valid mapping, got ${JSON.stringify(result.errors)}`);
  return result.delivery;
}

function refused(result: MappingResult): Extract<MappingResult, { ok: false }> {
  if (result.ok) throw new Error('expected the delivery to be refused');
  return result;
}

const zoho = (body: unknown, more: Partial<IncomingDelivery> = {}) => mapper.map(delivery(zohoSource(), body, more));
const withEvent = (event: string) => ({ query: { event } });

describe('DeliveryMapper, zoho shape', () => {
  it.each([
    ['item', zohoItem, 'product', zohoItem.item_id],
    ['contact', zohoContact, 'customer', zohoContact.contact_id],
    ['invoice', zohoInvoice, 'invoice', zohoInvoice.invoice_id],
    ['salesorder', zohoSalesOrder, 'sales_order', zohoSalesOrder.salesorder_id],
    ['inventory_adjustment', zohoInventoryAdjustment, 'inventory_adjustment', zohoInventoryAdjustment.inventory_adjustment_id],
  ])('maps {"%s": …} to %s, id and version from the record, kept verbatim', (module, record, entityType, id) => {
    const result = mapped(zoho({ [module]: record }));
    expect(result).toMatchObject({ entityType, sourceEntityId: id, operation: 'update', version: FIXTURE_VERSION });
    expect(result.items[0]).toEqual({ entityType, sourceEntityId: id, operation: 'update', version: FIXTURE_VERSION, payload: record });
  });

  it('gives a price book, which has no last_modified_time, the receipt time as its version', () => {
    expect(zohoPricebook).not.toHaveProperty('last_modified_time');
    const result = mapped(zoho({ pricebook: zohoPricebook }, { receivedAt: NOW_MS + 42 }));
    expect(result).toMatchObject({ entityType: 'price_list', sourceEntityId: zohoPricebook.pricebook_id, version: NOW_MS + 42 });
    expect(result.items).toEqual([expect.objectContaining({ payload: zohoPricebook })]);
    expect(mapped(zoho({ pricebook: { ...zohoPricebook, last_modified_time: '' } })).version).toBe(NOW_MS);
  });

  it('turns an item with two warehouses into one product and two stock levels', () => {
    const { items } = mapped(zoho({ item: zohoItem }));
    expect(items.map(({ entityType, sourceEntityId, operation, version }) => ({ entityType, sourceEntityId, operation, version }))).toEqual([
      { entityType: 'product', sourceEntityId: '4815000000044208', operation: 'update', version: FIXTURE_VERSION },
      { entityType: 'stock_level', sourceEntityId: '4815000000044208:4815000000035071', operation: 'update', version: FIXTURE_VERSION },
      { entityType: 'stock_level', sourceEntityId: '4815000000044208:4815000000035093', operation: 'update', version: FIXTURE_VERSION },
    ]);
    expect(items[1].payload).toEqual({
      item_id: '4815000000044208',
      warehouse_id: '4815000000035071',
      warehouse_name: 'Main',
      is_primary: true,
      warehouse_stock_on_hand: 20,
      warehouse_available_stock: 18,
      warehouse_actual_available_stock: 18,
      sku: 'LAP-WH-15',
      name: 'Laptop-white/15inch/dell',
      last_modified_time: '2025-11-18T02:02:51+0300',
    });
    expect(items[2].payload).toMatchObject({ item_id: '4815000000044208', warehouse_id: '4815000000035093', warehouse_stock_on_hand: 8 });
  });

  it('keeps fields it does not know, in the record and around it', () => {
    const record = { ...zohoItem, warehouses: [], cf_brand: 'Dell', nested: { a: [1] } };
    const result = mapped(zoho({ item: record, organization_id: '10234695' }));
    expect(result.items).toEqual([expect.objectContaining({ payload: record })]);
  });

  describe('operation from the event', () => {
    it.each([
      [undefined, 'update'],
      ['item.created', 'create'],
      ['item.updated', 'update'],
    ])('event %s → %s', (event, operation) => {
      const result = mapped(zoho({ item: zohoItem }, event === undefined ? {} : withEvent(event)));
      expect(result.operation).toBe(operation);
      expect(result.items.every((item) => item.operation === operation)).toBe(true);
    });

    it.each([
      ['an unknown action', 'item.archived'],
      ['another module', 'contact.updated'],
      ['no module', 'updated'],
    ])('refuses %s with 422 at query.event', (_label, event) => {
      expect(refused(zoho({ item: zohoItem }, withEvent(event)))).toEqual({
        ok: false,
        errors: [{ path: 'query.event', message: 'query.event must be one of item.created, item.updated, item.deleted (the body\'s record is under "item")' }],
        primary: { entityType: 'product' },
      });
    });

    it('refuses an event given twice', () => {
      expect(refused(zoho({ item: zohoItem }, { query: { event: ['item.updated', 'item.deleted'] } })).errors).toEqual([
        { path: 'query.event', message: 'query.event must be given once' },
      ]);
    });

    it('reads the event from the body too, and refuses a body that contradicts the query', () => {
      expect(mapped(zoho({ item: zohoItem, event_type: 'item.created' })).operation).toBe('create');
      expect(refused(zoho({ item: zohoItem, event_type: 'item.created' }, withEvent('item.updated'))).errors).toEqual([
        { path: 'event_type', message: 'event_type names another event than query.event' },
      ]);
    });
  });

  describe('deletes', () => {
    const deleted = { item: { item_id: zohoItem.item_id, warehouses: zohoItem.warehouses } };

    it('refuses a delete from the unsigned query under signedContent body: 401 WEBHOOK.UNSIGNED_DELETE', () => {
      const error = thrown(() => zoho(deleted, withEvent('item.deleted')));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error).toMatchObject({ code: 'WEBHOOK.UNSIGNED_DELETE', status: 401 });
    });

    it('refuses it before looking at the payload: an invalid one is no 422 to store', () => {
      expect(thrown(() => zoho({ item: { name: 42 } }, withEvent('item.deleted')))).toMatchObject({ code: 'WEBHOOK.UNSIGNED_DELETE' });
    });

    it.each([['event_type'], ['event']])('accepts it when the signed body carries the delete marker "%s"', (field) => {
      const withMarker = { ...deleted, [field]: 'item.deleted' };
      expect(mapped(zoho(withMarker, withEvent('item.deleted'))).operation).toBe('delete');
      expect(mapped(zoho(withMarker)).operation).toBe('delete');
    });

    it('accepts it from the query when the query is signed (query+body)', () => {
      const result = mapped(mapper.map(delivery(zohoSource({ signedContent: 'query+body' }), deleted, withEvent('item.deleted'))));
      expect(result.items.map(({ entityType, sourceEntityId, operation }) => [entityType, sourceEntityId, operation])).toEqual([
        ['product', '4815000000044208', 'delete'],
        ['stock_level', '4815000000044208:4815000000035071', 'delete'],
        ['stock_level', '4815000000044208:4815000000035093', 'delete'],
      ]);
    });

    it('needs only the key for a delete', () => {
      const result = mapped(zoho({ contact: { contact_id: zohoContact.contact_id }, event_type: 'contact.deleted' }));
      expect(result).toMatchObject({ entityType: 'customer', sourceEntityId: zohoContact.contact_id, operation: 'delete', version: NOW_MS });
    });
  });

  describe('invalid deliveries', () => {
    it('reports payload problems at their place in the body, with what could be read', () => {
      const broken = {
        ...zohoItem,
        sku: 7,
        warehouses: [zohoItem.warehouses[0], { warehouse_name: 'Lost' }],
      };
      const result = refused(zoho({ item: broken }, withEvent('item.created')));
      expect(result.errors).toEqual([
        { path: 'item.sku', message: 'sku must be a string' },
        { path: 'item.warehouses[1].warehouse_id', message: 'warehouse_id is required' },
        { path: 'item.warehouses[1].warehouse_stock_on_hand', message: expect.stringContaining('must be a number') },
      ]);
      expect(result.primary).toEqual({ entityType: 'product', sourceEntityId: zohoItem.item_id, operation: 'create', version: FIXTURE_VERSION });
    });

    it('reports a bad or missing id and a bad last_modified_time', () => {
      const result = refused(zoho({ invoice: { ...zohoInvoice, invoice_id: '', last_modified_time: 'yesterday' } }));
      expect(result.errors.map((error) => error.path)).toEqual(['invoice.invoice_id', 'invoice.last_modified_time']);
      expect(result.primary).toEqual({ entityType: 'invoice', sourceEntityId: undefined, operation: 'update', version: undefined });
    });

    it('reports a bad last_modified_time on a type whose rules do not check it', () => {
      expect(refused(zoho({ pricebook: { ...zohoPricebook, last_modified_time: 'soon' } })).errors).toEqual([
        { path: 'pricebook.last_modified_time', message: expect.stringContaining('last_modified_time must be') },
      ]);
    });

    it.each([
      ['no module key', { items: [zohoItem] }, 'The body must carry one Zoho record under its module key: one of item, contact'],
      ['two module keys', { item: zohoItem, contact: zohoContact }, 'The body carries several module keys (item, contact)'],
      ['not an object', [zohoItem], 'The body must be a JSON object'],
    ])('refuses a body with %s at path ""', (_label, body, message) => {
      const result = refused(zoho(body));
      expect(result.errors).toEqual([{ path: '', message: expect.stringContaining(message) }]);
    });

    it('refuses a record that is not an object', () => {
      expect(refused(zoho({ salesorder: 'SO-00003' })).errors).toEqual([{ path: 'salesorder', message: 'salesorder must be a JSON object' }]);
    });
  });
});

describe('DeliveryMapper, generic shape', () => {
  const generic = (body: unknown) => mapper.map(delivery(genericSource(), body));
  const envelope = {
    entityType: 'product',
    sourceEntityId: zohoItem.item_id,
    operation: 'update',
    version: '2025-11-18T02:02:51+0300',
    payload: zohoItem,
  };

  it('maps the canonical envelope to one item, the version parsed', () => {
    expect(mapped(generic(envelope))).toEqual({
      entityType: 'product',
      sourceEntityId: zohoItem.item_id,
      operation: 'update',
      version: FIXTURE_VERSION,
      items: [{ entityType: 'product', sourceEntityId: zohoItem.item_id, operation: 'update', version: FIXTURE_VERSION, priority: 5, payload: zohoItem }],
    });
  });

  it('takes a priority and a delete from the envelope, which is in the signed body', () => {
    const result = mapped(generic({ ...envelope, operation: 'delete', version: 12, priority: 9, payload: { item_id: zohoItem.item_id } }));
    expect(result).toMatchObject({ operation: 'delete', version: 12, items: [expect.objectContaining({ priority: 9, operation: 'delete' })] });
  });

  it('refuses unknown envelope fields and invalid payloads, by the rules of POST /api/tds/queue', () => {
    const result = refused(generic({ ...envelope, payload: { ...zohoItem, rate: 'cheap' }, extra: true }));
    expect(result.errors).toEqual([
      { path: 'extra', message: 'property extra should not exist' },
      { path: 'payload.rate', message: expect.stringContaining('rate must be a number') },
    ]);
    expect(result.primary).toEqual({ entityType: 'product', sourceEntityId: zohoItem.item_id, operation: 'update', version: FIXTURE_VERSION });
  });

  it('refuses a bad envelope, keeping only what is well-formed', () => {
    const result = refused(generic({ entityType: 'widget', sourceEntityId: 'w-1', operation: 'upsert', version: -1, payload: {} }));
    expect(result.errors.map((error) => error.path)).toEqual(['entityType', 'operation', 'version']);
    expect(result.primary).toEqual({ entityType: 'widget', sourceEntityId: 'w-1' });
    expect(refused(generic('text')).errors).toEqual([{ path: '', message: 'The body must be a JSON object' }]);
  });
});
