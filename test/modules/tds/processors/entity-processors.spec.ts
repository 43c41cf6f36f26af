import { DomainError } from '../../../../src/shared/errors/domain-error.js';
import { EntityProcessorRegistry } from '../../../../src/modules/tds/processors/entity-processor.registry.js';
import { zohoSamples } from '../fixtures/zoho-payloads.js';

const registry = new EntityProcessorRegistry();
const validate = (type: string, payload: object, operation: 'create' | 'update' | 'delete' = 'update', sourceEntityId?: string) =>
  registry.get(type).validate(payload as Record<string, unknown>, operation, sourceEntityId);

describe('EntityProcessorRegistry', () => {
  it('knows the seven entity types', () => {
    expect(registry.types().sort()).toEqual([
      'customer',
      'inventory_adjustment',
      'invoice',
      'price_list',
      'product',
      'sales_order',
      'stock_level',
    ]);
    expect(registry.has('product')).toBe(true);
    expect(registry.has('widget')).toBe(false);
  });

  it('refuses an unknown entity type with QUEUE.UNKNOWN_ENTITY_TYPE', () => {
    const error = (() => {
      try {
        registry.get('widget');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'QUEUE.UNKNOWN_ENTITY_TYPE', status: 422 });
    expect((error as Error).message).toContain('widget');
  });

  it('names the id field and the fields that matter', () => {
    expect(registry.get('product')).toMatchObject({ idField: 'item_id', keyFields: ['item_id'] });
    expect(registry.get('product').fields).toEqual(expect.arrayContaining(['item_id', 'name', 'sku', 'rate', 'unit', 'status', 'stock_on_hand']));
    expect(registry.get('stock_level')).toMatchObject({ idField: 'item_id', keyFields: ['item_id', 'warehouse_id'] });
    expect(registry.get('invoice').fields).toEqual(expect.arrayContaining(['invoice_id', 'customer_id', 'line_items', 'total']));
  });
});

describe.each(Object.entries(zohoSamples))('%s processor', (type, { payload, sourceEntityId }) => {
  it('accepts a realistic Zoho payload for create and update, without changing it', () => {
    const before = structuredClone(payload);
    expect(validate(type, payload, 'create', sourceEntityId)).toEqual([]);
    expect(validate(type, payload, 'update', sourceEntityId)).toEqual([]);
    expect(payload).toEqual(before);
  });

  it('derives the source id from the payload', () => {
    expect(registry.get(type).sourceEntityIdOf(payload)).toBe(sourceEntityId);
  });

  it('accepts a delete that carries only the key', () => {
    const processor = registry.get(type);
    const keyOnly = Object.fromEntries(processor.keyFields.map((field) => [field, (payload as Record<string, unknown>)[field]]));
    expect(validate(type, keyOnly, 'delete', sourceEntityId)).toEqual([]);
  });

  it('refuses a delete without its key', () => {
    const errors = validate(type, {}, 'delete');
    expect(errors.map((e) => e.path)).toEqual([...registry.get(type).keyFields]);
    expect(errors[0].message).toBe(`${registry.get(type).idField} is required`);
  });

  it('refuses a payload whose key is not the item source id', () => {
    expect(validate(type, payload, 'update', `${sourceEntityId}0`)).toEqual([
      {
        path: registry.get(type).keyFields.length === 1 ? registry.get(type).idField : '',
        message: expect.stringContaining(`must equal sourceEntityId ("${sourceEntityId}0")`),
      },
    ]);
  });

  it('keeps extra fields: unknown properties are never an error', () => {
    expect(validate(type, { ...payload, x_custom: { nested: [1, 2] }, cf_region: 'south' }, 'update', sourceEntityId)).toEqual([]);
  });
});

describe('payload rules', () => {
  const { product, customer, invoice, sales_order, price_list, stock_level } = zohoSamples;
  const paths = (type: string, payload: object, operation: 'create' | 'update' | 'delete' = 'update') =>
    validate(type, payload, operation).map((e) => e.path);

  it('product: wrong types, unknown status, a broken warehouse entry', () => {
    const errors = validate('product', {
      ...product.payload,
      name: 42,
      rate: 'abc',
      status: 'archived',
      warehouses: [product.payload.warehouses[0], { warehouse_name: 'Lost', warehouse_stock_on_hand: 'many' }],
    });
    expect(errors).toEqual([
      { path: 'name', message: 'name must be a non-empty string' },
      { path: 'rate', message: expect.stringContaining('rate must be a number') },
      { path: 'status', message: expect.stringContaining('status must be one of the following values: active, inactive') },
      { path: 'warehouses[1].warehouse_id', message: 'warehouse_id is required' },
      { path: 'warehouses[1].warehouse_stock_on_hand', message: expect.stringContaining('must be a number') },
    ]);
  });

  it('product: the name is required for create and update, not for delete', () => {
    const { name: _name, ...nameless } = product.payload;
    expect(paths('product', nameless, 'create')).toEqual(['name']);
    expect(paths('product', nameless, 'update')).toEqual(['name']);
    expect(paths('product', { item_id: product.sourceEntityId, rate: 'ignored on delete' }, 'delete')).toEqual([]);
  });

  it('ids may be strings or non-negative integers, never empty, negative or objects', () => {
    expect(validate('product', { ...product.payload, item_id: 4815000000044208 }, 'update', '4815000000044208')).toEqual([]);
    expect(paths('product', { ...product.payload, item_id: '' })).toEqual(['item_id']);
    expect(paths('product', { ...product.payload, item_id: -1 })).toEqual(['item_id']);
    expect(paths('product', { ...product.payload, item_id: { id: 1 } })).toEqual(['item_id']);
  });

  it('timestamps need a zone', () => {
    expect(validate('product', { ...product.payload, last_modified_time: '2025-11-18T02:02:51' })).toEqual([
      { path: 'last_modified_time', message: 'last_modified_time must be an ISO-8601 timestamp with a zone, e.g. 2025-11-18T02:02:51+0300' },
    ]);
  });

  it('customer: an empty email is no email; a malformed one is an error', () => {
    expect(validate('customer', { ...customer.payload, email: '' })).toEqual([]);
    expect(paths('customer', { ...customer.payload, email: 'not-an-email', contact_type: 'partner', contact_name: '' })).toEqual([
      'contact_name',
      'email',
      'contact_type',
    ]);
  });

  it('invoice: line items are validated element by element', () => {
    const lines = [invoice.payload.line_items[0], { ...invoice.payload.line_items[1], quantity: 'two', item_id: '' }, 7];
    expect(paths('invoice', { ...invoice.payload, line_items: lines, date: '2025-02-30' })).toEqual([
      'date',
      'line_items[1].quantity',
      'line_items[2]',
    ]);
  });

  it('invoice and sales order: customer, date, status, total and lines are required', () => {
    const required = ['customer_id', 'date', 'status', 'total', 'line_items'];
    for (const [type, sample, number] of [
      ['invoice', invoice, 'invoice_number'],
      ['sales_order', sales_order, 'salesorder_number'],
    ] as const) {
      const stripped = Object.fromEntries(
        Object.entries(sample.payload).filter(([key]) => ![...required, number].includes(key)),
      );
      expect(paths(type, stripped).sort()).toEqual([...required, number].sort());
    }
  });

  it('price list: type and items', () => {
    expect(
      paths('price_list', { ...price_list.payload, pricebook_type: 'tiered', pricebook_items: [{ pricebook_rate: '1' }] }),
    ).toEqual(['pricebook_type', 'pricebook_items[0].item_id', 'pricebook_items[0].pricebook_rate']);
  });

  it('stock level: both keys and the on-hand figure are required', () => {
    expect(paths('stock_level', { item_id: '1', warehouse_stock_on_hand: '3' })).toEqual(['warehouse_id', 'warehouse_stock_on_hand']);
    expect(paths('stock_level', { item_id: '1' }, 'delete')).toEqual(['warehouse_id']);
    expect(validate('stock_level', stock_level.payload, 'update', '4815000000044208:4815000000035093')[0].message).toBe(
      'item_id:warehouse_id ("4815000000044208:4815000000035071") must equal sourceEntityId ("4815000000044208:4815000000035093")',
    );
  });

  it('inventory adjustment: a date, a reason, quantity or value, lines naming their item', () => {
    const { payload } = zohoSamples.inventory_adjustment;
    expect(
      paths('inventory_adjustment', { ...payload, date: '17/11/2025', reason: '', adjustment_type: 'count', line_items: [{ quantity_adjusted: 'two' }] }),
    ).toEqual(['date', 'reason', 'adjustment_type', 'line_items[0].item_id', 'line_items[0].quantity_adjusted']);
  });

  it('validates 1,000 invoices cheaply', () => {
    const payloads = Array.from({ length: 1000 }, (_, i) => ({ ...invoice.payload, invoice_id: String(i) }));
    const run = () => payloads.reduce((n, p) => n + validate('invoice', p, 'update', p.invoice_id).length, 0);
    run(); // warm-up: the first pass compiles
    const started = performance.now();
    expect(run()).toBe(0);
    // ~20 ms in plain Node on this 2-core machine (class-validator's own floor), several times
    // that under Jest's module sandbox: the bound only catches a regression such as a deep copy.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
