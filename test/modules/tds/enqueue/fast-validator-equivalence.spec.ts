import { ConfigService } from '@nestjs/config';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { EnqueueItemDto, EnqueueItemsRequestDto } from '../../../../src/modules/tds/commands/enqueue-items/enqueue-items.dto.js';
import { CustomerPayload } from '../../../../src/modules/tds/processors/customer.processor.js';
import { EntityProcessorRegistry } from '../../../../src/modules/tds/processors/entity-processor.registry.js';
import { InventoryAdjustmentPayload } from '../../../../src/modules/tds/processors/inventory-adjustment.processor.js';
import { InvoicePayload } from '../../../../src/modules/tds/processors/invoice.processor.js';
import { PriceListPayload } from '../../../../src/modules/tds/processors/price-list.processor.js';
import { ProductPayload } from '../../../../src/modules/tds/processors/product.processor.js';
import { SalesOrderPayload } from '../../../../src/modules/tds/processors/sales-order.processor.js';
import { StockLevelPayload } from '../../../../src/modules/tds/processors/stock-level.processor.js';
import { ingestConfig } from '../../../../src/shared/config/ingest.config.js';
import { flattenValidationErrors } from '../../../../src/shared/errors/flatten-validation-errors.js';
import { PlainValidator } from '../../../../src/shared/validation/compiled-validator.js';
import type { PlainValidatorOptions } from '../../../../src/shared/validation/compiled-validator.js';
import { nestedArraysOf, validatePlain } from '../../../../src/shared/validation/validate-plain.js';
import type { Constructor } from '../../../../src/shared/validation/validate-plain.js';
import { zohoSamples } from '../fixtures/zoho-payloads.js';

/**
 * Property: the compiled validator (PlainValidator) decides like class-validator (validatePlain)
 * on the DTOs of the enqueue hot path — the envelope and every entity type's payload — and its
 * errors are class-validator's, byte for byte. Inputs are the fixtures with a few random
 * mutations: fields dropped, set to values of another type, out of range, too long, with control
 * characters, huge numbers, nested objects, arrays over the entry limit, unknown fields.
 */

const RUNS = 1000;
/** Small, so that mutated arrays cross it (the configured default is far larger). */
const MAX_ARRAY_ENTRIES = 3;
const STRICT = { whitelist: true, forbidNonWhitelisted: true };

const PAYLOADS: Record<keyof typeof zohoSamples, Constructor> = {
  product: ProductPayload,
  customer: CustomerPayload,
  invoice: InvoicePayload,
  sales_order: SalesOrderPayload,
  price_list: PriceListPayload,
  stock_level: StockLevelPayload,
  inventory_adjustment: InventoryAdjustmentPayload,
};
const ENTITY_TYPES = Object.keys(PAYLOADS) as (keyof typeof zohoSamples)[];

/** The fields a class and its nested entries declare, so that mutations hit rules, not only extra fields. */
function fieldsOf(type: Function): string[] {
  const own = getMetadataStorage()
    .getTargetValidationMetadatas(type, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...own, ...nestedArraysOf(type).flatMap(([, element]) => fieldsOf(element()))];
}

// Names of Object.prototype members are left out: class-validator's whitelist lets some of them
// through, which the compiled check leaves to it (see the last test).
const KEYS = [
  ...new Set([...[EnqueueItemsRequestDto, EnqueueItemDto, ...Object.values(PAYLOADS)].flatMap(fieldsOf), 'extra', 'Item_ID', '', 'tax_name']),
];

const item = (type: keyof typeof zohoSamples) => ({
  entityType: type,
  sourceEntityId: zohoSamples[type].sourceEntityId,
  operation: 'update',
  version: '2025-11-18T02:02:51+0300',
  priority: 5,
  payload: zohoSamples[type].payload,
});

const SPECIAL_STRINGS = [
  '', ' ', 'x', 'a-b_c', 'Zoho', 'zoho', 'a'.repeat(50), 'a'.repeat(51), 'x'.repeat(200), 'x'.repeat(201),
  '\u0000', 'a\u0001b', '\t', 'a\nb', '\r', '\u007f', '\u0085', '\ud800', 'a\udc00', '\ud83d\ude00',
  'active', 'inactive', 'customer', 'vendor', 'quantity', 'value', 'fixed_percentage', 'per_item',
  'product', 'invoice', 'widget', 'create', 'update', 'delete', 'upsert',
  '2025-11-18T02:02:51+0300', '2025-11-18T02:02:51+03:00', '2025-11-18T02:02:51.123Z', '2025-11-18T02:02:51',
  '2025-02-30T00:00:00Z', '2025-11-18T24:00:00Z', '1969-12-31T23:59:59Z', '2025-11-18', '2024-02-29', '2025-02-29', '25-1-1',
  '0', '123', '9007199254740991', '9007199254740992', '-1', '1.5', '1e3',
  'willsmith@bowmanfurniture.com', 'not-an-email', '@x.com', '4815000000044208', 'item-1',
];
const SPECIAL_NUMBERS = [
  0, -0, 1, -1, 5, 10, 11, 0.5, 1.5, 2 ** 53 - 1, 2 ** 53, 1e21, 1e308, -1e308, Number.MIN_VALUE, NaN, Infinity, -Infinity,
  4815000000044208,
];
const lineItem = (zohoSamples.invoice.payload as { line_items: object[] }).line_items[0];
const leaf = fc.oneof(
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, undefined),
);
const value = fc.oneof(
  { weight: 6, arbitrary: leaf },
  fc.constantFrom<unknown>({}, { item_id: '1' }, lineItem, zohoSamples.stock_level.payload, item('product'), item('stock_level')),
  fc.array(fc.oneof(leaf, fc.constant(lineItem)), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom(...KEYS), leaf, { maxKeys: 3 }),
);

/** One change somewhere in the tree: `target` picks the object or array, by walk order. */
const mutation = fc.record({
  target: fc.nat(),
  action: fc.constantFrom('delete', 'set', 'set', 'resize'),
  key: fc.constantFrom(...KEYS),
  /** Whether the change is to a field the object has (`key` picks among them) rather than to `key`. */
  ownField: fc.boolean(),
  value,
  length: fc.constantFrom(0, 1, MAX_ARRAY_ENTRIES, MAX_ARRAY_ENTRIES + 1, 1000, 1001),
});

function containers(node: unknown, found: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof node !== 'object' || node === null) return found;
  found.push(node as Record<string, unknown>);
  for (const child of Object.values(node)) containers(child, found);
  return found;
}

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(base: unknown, mutations: Mutation[]): Record<string, unknown> {
  const root = structuredClone(base) as Record<string, unknown>;
  for (const { target, action, key, ownField, value: replacement, length } of mutations) {
    const all = containers(root);
    const node = all[target % all.length];
    if (!Array.isArray(node)) {
      const fields = Object.keys(node);
      const field = ownField && fields.length > 0 ? fields[KEYS.indexOf(key) % fields.length] : key;
      if (action === 'delete') delete node[field];
      else node[field] = structuredClone(replacement);
    } else if (action === 'resize') {
      // Copies of its entries (or of the value, for an empty one): the array's own rules meet its size limits.
      const entries = Array.from({ length }, (_, i) => structuredClone(node.length > 0 ? node[i % node.length] : replacement));
      node.splice(0, node.length, ...entries);
    } else if (action === 'delete') node.splice(target % (node.length + 1), 1);
    else node[target % (node.length + 1)] = structuredClone(replacement);
  }
  return root;
}

function inputs(base: unknown) {
  return fc.array(mutation, { maxLength: 3 }).map((mutations) => mutate(base, mutations));
}

interface Tally {
  valid: number;
  invalid: number;
}

/** Asserts the property on RUNS inputs and counts the valid and the invalid ones: a subject whose inputs missed a side fails. */
function assertEquivalent(type: Constructor, options: PlainValidatorOptions, arbitrary: fc.Arbitrary<Record<string, unknown>>): Tally {
  const validator = new PlainValidator(type, options);
  const tally = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(arbitrary, (plain) => {
      const expected = flattenValidationErrors(validatePlain(type, plain, options).errors);
      expect(flattenValidationErrors(validator.validate(plain).errors)).toEqual(expected);
      const valid = expected.length === 0;
      expect(validator.accepts(plain)).toBe(valid);
      tally[valid ? 'valid' : 'invalid']++;
    }),
    { numRuns: RUNS },
  );
  return tally;
}

function expectBothSides({ valid, invalid }: Tally) {
  expect(valid).toBeGreaterThan(RUNS / 20);
  expect(invalid).toBeGreaterThan(RUNS / 20);
}

describe('PlainValidator against class-validator', () => {
  it.each(ENTITY_TYPES)('%s payloads: created or updated (all rules)', (type) => {
    expectBothSides(assertEquivalent(PAYLOADS[type], { maxArrayEntries: MAX_ARRAY_ENTRIES }, inputs(zohoSamples[type].payload)));
  });

  it.each(ENTITY_TYPES)('%s payloads: deleted (key fields only)', (type) => {
    const options = { maxArrayEntries: MAX_ARRAY_ENTRIES, groups: ['tds:keys-only'] };
    // A delete's payload is mostly the key alone: start from it too, so that both sides come up.
    const keysOnly = fc.oneof(inputs(zohoSamples[type].payload), inputs({}));
    expectBothSides(assertEquivalent(PAYLOADS[type], options, keysOnly));
  });

  it('an item envelope (strict: unknown fields refused)', () => {
    expectBothSides(assertEquivalent(EnqueueItemDto, STRICT, fc.constantFrom(...ENTITY_TYPES).chain((type) => inputs(item(type)))));
  });

  it('a request envelope (strict), with up to four items', () => {
    const request = fc
      .tuple(fc.subarray(ENTITY_TYPES, { minLength: 1, maxLength: 4 }), fc.constantFrom({}, { source: 'zoho' }, { source: 'my_erp-2' }))
      .chain(([types, source]) => inputs({ ...source, items: types.map(item) }));
    expectBothSides(assertEquivalent(EnqueueItemsRequestDto, STRICT, request));
  });

  it("the processors validate with the compiled check and report class-validator's errors", () => {
    const registry = new EntityProcessorRegistry(new ConfigService({ ingest: { ...ingestConfig(), maxArrayEntries: MAX_ARRAY_ENTRIES } }));
    const operation = fc.constantFrom('create' as const, 'update' as const, 'delete' as const);
    const cases = fc.constantFrom(...ENTITY_TYPES).chain((type) => fc.tuple(fc.constant(type), operation, inputs(zohoSamples[type].payload)));
    fc.assert(
      fc.property(cases, ([type, op, payload]) => {
        const options = op === 'delete' ? { maxArrayEntries: MAX_ARRAY_ENTRIES, groups: ['tds:keys-only'] } : { maxArrayEntries: MAX_ARRAY_ENTRIES };
        const expected = flattenValidationErrors(validatePlain(PAYLOADS[type], payload, options).errors);
        expect(registry.get(type).validate(payload, op)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves to class-validator the odd value it accepts: an Object.prototype name under whitelist', () => {
    const request = new PlainValidator(EnqueueItemsRequestDto, STRICT);
    const plain = { items: [{ ...item('product'), hasOwnProperty: 1 }] };
    expect(validatePlain(EnqueueItemsRequestDto, plain, STRICT).errors).toEqual([]);
    expect(request.accepts(plain)).toBe(false);
    expect(request.validate(plain).errors).toEqual([]);
  });

  it('refuses, both ways, an array held in a nested array (class-validator alone once walked into it and found nothing wrong)', () => {
    const cases: [Constructor, PlainValidatorOptions, Record<string, unknown>, string][] = [
      [EnqueueItemsRequestDto, STRICT, { items: [[]] }, 'items'],
      [ProductPayload, { maxArrayEntries: MAX_ARRAY_ENTRIES }, { ...zohoSamples.product.payload, warehouses: [[]] }, 'warehouses'],
    ];
    for (const [type, options, plain, path] of cases) {
      expect(flattenValidationErrors(validatePlain(type, plain, options).errors)).toEqual([{ path, message: `${path} must hold objects, not arrays` }]);
      expect(new PlainValidator(type, options).accepts(plain)).toBe(false);
    }
  });
});
