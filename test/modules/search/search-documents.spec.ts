import type { RecordState } from '../../../src/modules/search/domain/record-changes.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { zohoContact, zohoInvoice, zohoItem, zohoSalesOrder } from '../tds/fixtures/zoho-payloads.js';
import { appEnv, getSearch, idsOf, KEYS, search, writeRecords } from './search-test-kit.js';

const record = (type: RecordState['type'], sourceId: string, data: Record<string, unknown>, deleted = false): RecordState => ({
  type,
  source: 'zoho',
  sourceId,
  version: 1,
  arrivalSeq: 1,
  deleted,
  data,
});

const lines = [{ ...zohoInvoice.line_items[0], sku: 'LAP-WHT-15' }, zohoInvoice.line_items[1]];

/** Zoho-shaped records: three products (two with "laptop" in the name, one only in its description), a customer, its invoice and order. */
const RECORDS: RecordState[] = [
  record('product', 'p-white', { ...zohoItem, item_id: 'p-white', sku: 'LAP-WHT-15' }),
  record('product', 'p-black', {
    ...zohoItem,
    item_id: 'p-black',
    name: 'Laptop black 13inch',
    sku: 'LAP-BLK-13',
    description: 'Compact sample notebook',
    custom_fields: [],
  }),
  record('product', 'p-chair', {
    ...zohoItem,
    item_id: 'p-chair',
    name: 'Office chair',
    sku: 'CHR-01',
    description: 'Ergonomic seat for long laptop sessions',
    custom_fields: [],
  }),
  record('product', 'p-dock', {
    ...zohoItem,
    item_id: 'p-dock',
    name: 'Docking station',
    sku: 'DCK-7',
    description: 'Fits the desk/wall-mount series, with fast charging',
    custom_fields: [],
  }),
  record('customer', 'c-bowman', zohoContact),
  record('invoice', 'i-3', { ...zohoInvoice, line_items: lines }),
  record('sales_order', 's-3', { ...zohoSalesOrder, line_items: lines }),
  record('product', 'p-gone', { ...zohoItem, item_id: 'p-gone', name: 'Laptop ghost', sku: 'LAP-GONE-1' }, true),
];

describeEachBackend('GET /api/search', (backend) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...appEnv });
    await writeRecords(testApp.app, RECORDS);
  });
  afterAll(() => testApp?.close());

  describe('finding records', () => {
    it('finds a product by a single word of its name, also one after a slash', async () => {
      expect(idsOf(await search(testApp.app, 'dell', { type: 'product' }))).toEqual(['p-white']);
      expect(idsOf(await search(testApp.app, 'white', { type: 'product' }))).toEqual(['p-white']);
      // the invoice and the order sold it: found too, below the product itself
      expect(idsOf(await search(testApp.app, 'dell'))[0]).toBe('p-white');
    });

    it('finds a product by its SKU, as typed or in lower case, above the documents that sold it', async () => {
      for (const q of ['LAP-WHT-15', 'lap-wht-15']) {
        const hits = await search(testApp.app, q);
        expect(hits[0]).toMatchObject({ type: 'product', source: 'zoho', sourceId: 'p-white', title: 'Laptop-white/15inch/dell' });
        expect(idsOf(hits).sort()).toEqual(['i-3', 'p-white', 's-3']);
      }
      expect(idsOf(await search(testApp.app, 'LAP-BLK-13'))).toEqual(['p-black']);
    });

    it('finds a word of the description, also one inside a path-like word, and a phrase of it', async () => {
      // `desk/wall-mount` reads as one file-path token as typed: only the split reading finds `wall`.
      for (const q of ['wall', 'mount', 'charge', '"fast charging"']) {
        expect(idsOf(await search(testApp.app, q, { type: 'product' }))).toEqual(['p-dock']);
      }
    });

    it('ranks a match in the title above a match in the body', async () => {
      const hits = await search(testApp.app, 'laptop');
      const ids = idsOf(hits);
      expect(ids).toEqual(expect.arrayContaining(['p-white', 'p-black', 'p-chair']));
      expect(ids.indexOf('p-chair')).toBeGreaterThan(ids.indexOf('p-white'));
      expect(ids.indexOf('p-chair')).toBeGreaterThan(ids.indexOf('p-black'));
      const rank = (id: string) => hits.find((hit) => hit.sourceId === id)!.rank;
      expect(rank('p-black')).toBeGreaterThan(rank('p-chair'));
    });

    it('stems English words', async () => {
      expect(idsOf(await search(testApp.app, 'laptops'))).toEqual(expect.arrayContaining(['p-white', 'p-black']));
      expect(idsOf(await search(testApp.app, 'session'))).toEqual(['p-chair']);
    });

    it('finds customers by name and email, invoices and orders by number and customer', async () => {
      expect(idsOf(await search(testApp.app, 'willsmith@bowmanfurniture.com'))).toEqual(['c-bowman']);
      expect(idsOf(await search(testApp.app, 'INV-00003'))[0]).toBe('i-3');
      expect((await search(testApp.app, 'SO-00003'))[0]).toMatchObject({ type: 'sales_order', sourceId: 's-3' });
      const bowman = await search(testApp.app, 'Bowman');
      expect(idsOf(bowman).sort()).toEqual(['c-bowman', 'i-3', 's-3']);
      expect(bowman[0].sourceId).toBe('c-bowman');
    });

    it('filters by type', async () => {
      const hits = await search(testApp.app, 'Bowman', { type: 'invoice' });
      expect(hits.map((hit) => [hit.type, hit.sourceId])).toEqual([['invoice', 'i-3']]);
      expect(await search(testApp.app, 'dell', { type: 'customer' })).toEqual([]);
    });

    it('reads web-search syntax: quoted phrases, exclusion, OR', async () => {
      // both products have "sample", only one the phrase
      expect(idsOf(await search(testApp.app, 'sample')).sort()).toEqual(['p-black', 'p-white']);
      expect(idsOf(await search(testApp.app, '"sample description"'))).toEqual(['p-white']);
      const product = { type: 'product' };
      expect(idsOf(await search(testApp.app, 'laptop -black', product)).sort()).toEqual(['p-chair', 'p-white']);
      expect(idsOf(await search(testApp.app, 'laptop -black -dell', product))).toEqual(['p-chair']);
      expect(idsOf(await search(testApp.app, 'chair OR dell', product)).sort()).toEqual(['p-chair', 'p-white']);
    });

    it('never returns a deleted record', async () => {
      expect(await search(testApp.app, 'ghost')).toEqual([]);
      expect(await search(testApp.app, 'LAP-GONE-1')).toEqual([]);
    });

    it('gives a plain-text snippet of the body around the match', async () => {
      const [hit] = await search(testApp.app, 'description');
      expect(hit.sourceId).toBe('p-white');
      expect(hit.snippet).toContain('sample description');
      expect(hit.snippet).not.toMatch(/<\/?b>/);
      // a title-only match still shows the start of the body
      const [chair] = await search(testApp.app, 'office');
      expect(chair.snippet).toContain('CHR-01');
    });

    it('honours the limit, best first', async () => {
      const all = await search(testApp.app, 'laptop');
      const firstTwo = await search(testApp.app, 'laptop', { limit: 2 });
      expect(firstTwo).toEqual(all.slice(0, 2));
    });

    it('answers queries without searchable words with no results', async () => {
      for (const q of ['!!!', '-', '""', 'OR', 'zzzqqq']) expect(await search(testApp.app, q)).toEqual([]);
    });

    it('answers a stop word alone by matching it as typed', async () => {
      expect(idsOf(await search(testApp.app, 'and'))).toContain('c-bowman');
    });
  });

  describe('bad requests', () => {
    it.each([
      ['no q', {}],
      ['an empty q', { q: '' }],
      ['a blank q', { q: '   ' }],
      ['a q over 200 characters', { q: 'a'.repeat(201) }],
      ['a q with a NUL', { q: 'lap\u0000top' }],
      ['an unknown type', { q: 'laptop', type: 'vendor' }],
      ['limit 0', { q: 'laptop', limit: 0 }],
      ['limit 101', { q: 'laptop', limit: 101 }],
      ['a non-numeric limit', { q: 'laptop', limit: 'ten' }],
      ['a fractional limit', { q: 'laptop', limit: '1.5' }],
      ['an unknown parameter', { q: 'laptop', sort: 'title' }],
    ])('refuses %s with 422', async (_name, params) => {
      const response = await getSearch(testApp.app, params as Record<string, string | number>);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
    });

    it('refuses q given twice with 422', async () => {
      const response = await testApp.app.inject({
        method: 'GET',
        url: '/api/search?q=laptop&q=dell',
        headers: { authorization: `Bearer ${KEYS.viewer}` },
      });
      expect(response.statusCode).toBe(422);
    });

    it('accepts a q of exactly 200 characters', async () => {
      expect((await getSearch(testApp.app, { q: 'a'.repeat(200) })).statusCode).toBe(200);
    });
  });

  describe('auth', () => {
    it('needs an API key', async () => {
      const response = await getSearch(testApp.app, { q: 'laptop' }, null);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'AUTH.MISSING_API_KEY' });
    });

    it('refuses an unknown key', async () => {
      expect((await getSearch(testApp.app, { q: 'laptop' }, 'nope')).statusCode).toBe(401);
    });
  });
});
