import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EnqueueItemsPipe } from '../../../../src/modules/tds/commands/enqueue-items/enqueue-items.pipe.js';
import { EntityProcessorRegistry } from '../../../../src/modules/tds/processors/entity-processor.registry.js';
import { queryRows } from '../../../../src/shared/database/sql.js';
import { ValidationFailedError } from '../../../../src/shared/errors/domain-error.js';
import type { FieldError } from '../../../../src/shared/errors/domain-error.js';
import { canonicalJson } from '../../../../src/shared/json/canonical-json.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { zohoInvoice } from '../fixtures/zoho-payloads.js';
import { appEnv, postQueue, productItem } from './enqueue-test-kit.js';

const ZOHO_VERSION_MS = Date.UTC(2025, 10, 17, 23, 2, 51); // 2025-11-18T02:02:51+0300

/** Invoice `n` with 1,000 lines, as a bulk item: each takes milliseconds to validate. */
function invoiceItem(n: number, overrides: Record<string, unknown> = {}) {
  const invoiceId = `46000000005${String(n).padStart(4, '0')}`;
  const lineItems = Array.from({ length: 1000 }, (_, i) => ({ rate: i % 10, quantity: 1 }));
  return {
    entityType: 'invoice',
    sourceEntityId: invoiceId,
    operation: 'update',
    version: zohoInvoice.last_modified_time,
    payload: { ...zohoInvoice, invoice_id: invoiceId, line_items: lineItems, ...overrides },
  };
}

/** How many turns the event loop took while `work` ran: a chain of setImmediate callbacks, one per turn. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns++;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return { result: await work(), turns };
  } finally {
    running = false;
  }
}

describe('the bulk enqueue pipe, validating payloads in slices', () => {
  const pipe = new EnqueueItemsPipe(new EntityProcessorRegistry());

  it('lets the event loop run between payloads, and returns every item as validated', async () => {
    const items = Array.from({ length: 30 }, (_, n) => invoiceItem(n));
    const { result, turns } = await turnsDuring(() => pipe.transform({ items }));
    // In one go it would turn only for the yield before validating: twice.
    expect(turns).toBeGreaterThanOrEqual(8);
    expect(result.source).toBe('zoho');
    expect(result.items).toEqual(items.map((item) => ({ ...item, version: ZOHO_VERSION_MS, priority: 5 })));
  });

  it('reports every problem of every item together, in the order of a validation in one go: the envelope first, then the payloads in item order', async () => {
    const items: Record<string, unknown>[] = Array.from({ length: 24 }, (_, n) =>
      n % 3 === 0 ? invoiceItem(n, { invoice_number: '', total: 'many' }) : invoiceItem(n),
    );
    items[6] = { ...items[6], priority: 0 };
    items[19] = { ...items[19], operation: 'merge' };
    // Each item on its own (validateItem: its envelope, then its payload), paths put under the request's.
    const envelope: FieldError[] = [];
    const payloads: FieldError[] = [];
    items.forEach((item, index) => {
      const checked = pipe.validateItem(item);
      for (const { path, message } of checked.ok ? [] : checked.errors) {
        (path.startsWith('payload') ? payloads : envelope).push({ path: `items[${index}].${path}`, message });
      }
    });
    expect(envelope.map((error) => error.path)).toEqual(['items[6].priority', 'items[19].operation']);
    expect(payloads.length).toBeGreaterThan(10);

    const refused = await pipe.transform({ items }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationFailedError);
    expect((refused as ValidationFailedError).details).toEqual([...envelope, ...payloads]);
  });
});

describe('the Idempotency-Key request hash, computed an item at a time', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...appEnv, DATABASE_URL: '', TDS_DATA_DIR: 'memory' });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('is the sha256 of the canonical JSON of the request as validated, as when it was hashed in one piece', async () => {
    const items = [productItem(1), { ...productItem(2), priority: 7 }, invoiceItem(3)];
    const res = await postQueue(testApp.app, { source: 'erp-b', items }, { headers: { 'idempotency-key': 'hash-in-slices' } });
    expect(res.statusCode).toBe(202);

    const validated = { source: 'erp-b', items: items.map((item) => ({ priority: 5, ...item, version: ZOHO_VERSION_MS })) };
    const [row] = await queryRows<{ requestHash: string }>(
      testApp.app.get(DataSource),
      `SELECT request_hash AS "requestHash" FROM tds_idempotency_keys WHERE key = 'hash-in-slices'`,
    );
    expect(row.requestHash).toBe(createHash('sha256').update(canonicalJson(validated)).digest('hex'));
  });
});
