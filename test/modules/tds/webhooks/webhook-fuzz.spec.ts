import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoContact, zohoInventoryAdjustment, zohoInvoice, zohoItem, zohoPricebook, zohoSalesOrder } from '../fixtures/zoho-payloads.js';
import { countStored, webhookEnv } from './webhook-test-kit.js';

/**
 * Property: whatever a client sends to POST /api/tds/webhooks/:source (bodies, content types,
 * signatures, timestamps, query strings, headers), the answer is never a 5xx, and a request
 * that is not correctly signed writes no row at all.
 */

const SECRET = { zoho: 'fuzz-zoho-secret', generic: 'fuzz-generic-secret', zohoq: 'fuzz-zohoq-secret' } as const;
type Source = keyof typeof SECRET;
const SIGNATURE_HEADER: Record<Source, string> = { zoho: 'x-zoho-webhook-signature', generic: 'x-tds-signature', zohoq: 'x-zoho-webhook-signature' };
const TIMESTAMP_HEADER = 'x-tds-timestamp';
const BODY_LIMIT = 64 * 1024;
const MAX_STOCK_LEVELS = 20;

/** zoho signs the body; generic `<timestamp>.<body>`; zohoq (Zoho Billing's scheme) the sorted query, then the body. */
const fuzzEnv = {
  ...webhookEnv,
  TDS_WORKERS_ENABLED: 'false',
  // Requests come one at a time here: a group window would only add to each.
  TDS_INGEST_GROUP_WINDOW_MS: '0',
  TDS_DEFAULT_BODY_LIMIT_BYTES: String(BODY_LIMIT),
  // Most requests here fail authentication, all from one address: its 429s would hide the 401s looked at.
  TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT: '1000000',
  TDS_SOURCES: 'zoho,generic,zohoq',
  TDS_SOURCES_ZOHO_SECRETS: SECRET.zoho,
  TDS_SOURCES_GENERIC_SECRETS: SECRET.generic,
  TDS_SOURCES_GENERIC_TIMESTAMP_HEADER: TIMESTAMP_HEADER,
  TDS_SOURCES_ZOHOQ_SHAPE: 'zoho',
  TDS_SOURCES_ZOHOQ_SECRETS: SECRET.zohoq,
  TDS_SOURCES_ZOHOQ_SIGNED_CONTENT: 'query+body',
  // Small enough that the fuzzer's items reach it.
  TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM: String(MAX_STOCK_LEVELS),
};

const RECORDS: Record<string, Record<string, unknown>> = {
  item: zohoItem,
  contact: zohoContact,
  invoice: zohoInvoice,
  salesorder: zohoSalesOrder,
  pricebook: zohoPricebook,
  inventory_adjustment: zohoInventoryAdjustment,
};
const MODULES = Object.keys(RECORDS);
const FIELDS = [...new Set(Object.values(RECORDS).flatMap((record) => Object.keys(record)))];
const EVENTS = MODULES.flatMap((module) => ['created', 'updated', 'deleted'].map((action) => `${module}.${action}`));

const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

/** A real Zoho record under its module key, with fields dropped, replaced or added at random. */
const zohoBody = fc
  .record({
    module: fc.constantFrom(...MODULES),
    // Half the records as Zoho sends them, half with fields dropped, replaced or added.
    dropped: fc.oneof(fc.constant([]), fc.subarray(FIELDS, { maxLength: 4 })),
    changed: fc.oneof(fc.constant({}), fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), anyJson, { maxKeys: 4 })),
    bodyEvent: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.oneof(fc.constantFrom(...EVENTS), printable(20)), weight: 1 },
    ),
    unique: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ module, dropped, changed, bodyEvent, unique }) => {
    const record: Record<string, unknown> = { ...RECORDS[module], name: `fuzz ${unique}` };
    for (const field of dropped) delete record[field];
    Object.assign(record, changed);
    return { [module]: record, ...(bodyEvent === undefined ? {} : { event_type: bodyEvent }) };
  });

/** The generic envelope, each field valid-looking or not. */
const genericBody = fc.record(
  {
    entityType: fc.oneof(fc.constantFrom('product', 'customer', 'invoice', 'sales_order', 'price_list', 'stock_level', 'inventory_adjustment'), fc.string()),
    sourceEntityId: fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.string({ unit: 'binary' }), fc.integer()),
    operation: fc.oneof(fc.constantFrom('create', 'update', 'delete'), fc.string()),
    version: fc.oneof(fc.nat(), fc.constantFrom('2025-11-18T02:02:51+0300', '1700000000000', '-1', 'soon'), anyJson),
    priority: fc.oneof(fc.integer({ min: -2, max: 12 }), anyJson),
    payload: fc.oneof(zohoBody.map((body) => Object.values(body)[0]), anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

/** Text with control characters (NUL, BEL, ESC, DEL, C1), which no id may hold. */
const controlText = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{0,6}$/), fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\n'), fc.stringMatching(/^[a-z0-9]{0,6}$/))
  .map(([before, control, after]) => before + control + after);

/** The hostile shapes: nesting past any depth limit, control characters in ids, items around the stock-level cap. */
const hostileBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.integer({ min: 60, max: 20_000 }).map((depth) => Buffer.from(`{"item":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
  fc
    .tuple(fc.integer({ min: 60, max: 5_000 }), fc.constantFrom('item', 'contact', 'invoice'))
    .map(([depth, module]) => Buffer.from(JSON.stringify({ [module]: { ...RECORDS[module], custom: 'NEST' } }).replace('"NEST"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`))),
  fc
    .tuple(fc.constantFrom('item', 'contact', 'invoice', 'salesorder', 'pricebook'), controlText)
    .map(([module, id]) => {
      const idField = module === 'item' ? 'item_id' : module === 'contact' ? 'contact_id' : `${module}_id`;
      return Buffer.from(JSON.stringify({ [module]: { ...RECORDS[module], [idField]: id } }));
    }),
  fc.record({ count: fc.integer({ min: MAX_STOCK_LEVELS - 2, max: MAX_STOCK_LEVELS * 3 }), unique: fc.nat() }).map(({ count, unique }) =>
    Buffer.from(
      JSON.stringify({
        item: {
          ...zohoItem,
          item_id: `fuzz-wh-${unique}`,
          warehouses: Array.from({ length: count }, (_, n) => ({ warehouse_id: `w${n}`, warehouse_stock_on_hand: n })),
        },
      }),
    ),
  ),
);

/** Raw request bodies: JSON of the shapes above, arbitrary JSON, broken JSON, bytes, an oversized body, hostile shapes. */
const rawBody: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: hostileBody, weight: 2 },
  { arbitrary: zohoBody.map((body) => Buffer.from(JSON.stringify(body))), weight: 4 },
  { arbitrary: genericBody.map((body) => Buffer.from(JSON.stringify(body))), weight: 3 },
  { arbitrary: anyJson.map((value) => Buffer.from(JSON.stringify(value) ?? '')), weight: 2 },
  {
    arbitrary: fc
      .tuple(zohoBody, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
      .map(([body, at, junk]) => {
        const text = JSON.stringify(body);
        const cut = at % (text.length + 1);
        return Buffer.from(text.slice(0, cut) + junk + text.slice(cut));
      }),
    weight: 2,
  },
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
  { arbitrary: fc.constant(Buffer.from(JSON.stringify({ item: { ...zohoItem, notes: 'x'.repeat(BODY_LIMIT) } }))), weight: 1 },
);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
    ),
    weight: 2,
  },
  { arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,30}$/), weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

type Signing = 'correct' | 'missing' | 'wrong-secret' | 'other-body' | 'garbage' | 'stale' | 'base64';
const signing = fc.oneof(
  { arbitrary: fc.constantFrom<Signing>('correct', 'base64'), weight: 4 },
  { arbitrary: fc.constantFrom<Signing>('missing', 'wrong-secret', 'other-body', 'garbage', 'stale'), weight: 5 },
);

/** Query parameters: simple ones (signable by the test as Zoho Billing does), or a raw string of anything URL-safe. */
const query = fc.oneof(
  fc.dictionary(fc.oneof(fc.constant('event'), fc.stringMatching(/^[a-z_]{1,8}$/)), fc.oneof(fc.constantFrom(...EVENTS), fc.stringMatching(/^[a-z0-9._]{0,12}$/)), {
    maxKeys: 3,
  }),
  fc.stringMatching(/^[A-Za-z0-9%&=._~+-]{0,40}$/),
);

const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,12}$/).filter((name) => ![TIMESTAMP_HEADER, ...Object.values(SIGNATURE_HEADER)].includes(name)),
  printable(40),
  { maxKeys: 3 },
);

const source = fc.oneof(
  { arbitrary: fc.constantFrom<Source>('zoho', 'generic', 'zohoq'), weight: 9 },
  { arbitrary: fc.constantFrom('ZOHO', 'unknown', '..', '%00', 'zoho%20'), weight: 1 },
);

const request = fc.record({
  source,
  body: rawBody,
  contentType,
  signing,
  query,
  headers: extraHeaders,
  deliveryId: fc.option(printable(60), { nil: undefined }),
  /** Sent a second time right after: a redelivery. */
  again: fc.boolean(),
});
type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function queryString(q: FuzzRequest['query']): string {
  if (typeof q === 'string') return q;
  return Object.entries(q)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The signature header value this run sends, and whether it is the correct one. */
function signatureOf(run: FuzzRequest, nowS: number): { headers: Record<string, string>; correct: boolean } {
  if (!Object.hasOwn(SECRET, run.source)) return { headers: { 'x-tds-signature': 'aa'.repeat(32) }, correct: false };
  const src = run.source as Source;
  const headers: Record<string, string> = {};
  const timestamp = src === 'generic' ? String(run.signing === 'stale' ? nowS - 3600 : nowS) : undefined;
  if (timestamp !== undefined) headers[TIMESTAMP_HEADER] = timestamp;
  const hmac = createHmac('sha256', run.signing === 'wrong-secret' ? `${SECRET[src]}-old` : SECRET[src]);
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  if (src === 'zohoq' && typeof run.query !== 'string') {
    for (const name of Object.keys(run.query).sort()) hmac.update(name + run.query[name]);
  }
  // Another body: the real one after a marker. Under query+body the server signs the decoded query
  // before the body, so a one-character change could be matched by a query that decodes to it
  // (`?+` is a parameter named " "); a query decoding to this marker is not something the fuzzer writes.
  hmac.update(run.signing === 'other-body' ? Buffer.concat([Buffer.from('other-body-3f9a27c1:'), run.body]) : run.body);
  const digest = hmac.digest();
  switch (run.signing) {
    case 'missing':
      return { headers, correct: false };
    case 'garbage':
      return { headers: { ...headers, [SIGNATURE_HEADER[src]]: digest.toString('hex').slice(0, 40) }, correct: false };
    case 'base64':
      headers[SIGNATURE_HEADER[src]] = digest.toString('base64');
      break;
    default:
      headers[SIGNATURE_HEADER[src]] = digest.toString('hex');
  }
  // Correct as far as the test can tell: a raw query string under query+body is left out of the
  // signature, which the server may or may not read the same way; a "stale" timestamp only
  // exists where one is configured.
  const correct = ['correct', 'base64'].includes(run.signing) || (run.signing === 'stale' && src !== 'generic');
  return { headers, correct };
}

describePostgres('webhook fuzz: no 5xx, and nothing stored without a correct signature', () => {
  let database: TestDatabase;
  let testApp: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...fuzzEnv, DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it('10,000 arbitrary requests', async () => {
    let stored = await countStored(testApp.app);
    const seen = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(request, async (run) => {
        const { headers: signatureHeaders, correct } = signatureOf(run, Math.floor(Date.now() / 1000));
        const q = queryString(run.query);
        const send = () =>
          testApp.app.inject({
            method: 'POST',
            url: `/api/tds/webhooks/${run.source}${q ? `?${q}` : ''}`,
            headers: {
              ...run.headers,
              ...(run.contentType === undefined ? {} : { 'content-type': run.contentType }),
              ...(run.deliveryId === undefined ? {} : { 'x-tds-delivery-id': run.deliveryId }),
              ...signatureHeaders,
            },
            payload: run.body,
          });
        const res = await send();
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.json()).toEqual(expect.any(Object));

        const now = await countStored(testApp.app);
        if (!correct) {
          expect([400, 401, 404, 413, 415, 429]).toContain(res.statusCode);
          expect(now).toEqual(stored);
        } else if (res.statusCode === 202) {
          expect(now.inbox).toBe(stored.inbox + 1);
          expect(now.queue - stored.queue).toBe(res.json().queueItemIds.length);
        } else if (res.statusCode === 422) {
          // A new invalid delivery is kept for audit; a redelivery of one stores nothing.
          expect(now.inbox - stored.inbox).toBeLessThanOrEqual(1);
          expect(now.queue).toBe(stored.queue);
        } else {
          expect(now).toEqual(stored);
        }
        stored = now;

        if (run.again) {
          const redelivery = await send();
          const after = await countStored(testApp.app);
          // A record versioned by receipt time too: its repeat within the replay window is a duplicate.
          expect(redelivery.statusCode).toBe(res.statusCode === 202 ? 200 : res.statusCode);
          if (res.statusCode === 202) expect(redelivery.json()).toEqual({ duplicate: true, inboxId: res.json().inboxId });
          expect(after).toEqual(stored);
        }
      }),
      { numRuns: 10_000 },
    );

    // The runs reached every outcome, not just the cheap refusals.
    for (const status of [202, 400, 401, 404, 413, 415, 422]) expect({ status, seen: (seen.get(status) ?? 0) > 0 }).toEqual({ status, seen: true });
  }, 120_000);
});
