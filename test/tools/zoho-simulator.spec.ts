import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { ingestConfig } from '../../src/shared/config/ingest.config.js';
import type { WebhookSource } from '../../src/shared/config/webhooks.config.js';
import { ZohoDeliveryMapper } from '../../src/modules/tds/ingestion/zoho-delivery.mapper.js';
import { EntityProcessorRegistry } from '../../src/modules/tds/processors/entity-processor.registry.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import {
  CatalogueChanges,
  MIN_SAME_TIMESTAMP_RUN,
  ZOHO_ENTITY_SHAPES,
  ZOHO_ENTITY_TYPES,
  ZohoSimulator,
  generateCatalogue,
  main,
  parseZohoTimestamp,
  zohoTimestamp,
} from '../../tools/zoho-simulator/index.js';
import type { CatalogueOptions, ZohoEntityType, ZohoSimulatorOptions } from '../../tools/zoho-simulator/index.js';

const CREDENTIALS = { organizationId: 'org-7001', clientId: 'client-7001', clientSecret: 'client-secret-7001', refreshToken: 'refresh-token-7001' };
/** 2026-12-04T10:00:00.000Z plus what a test adds. */
const START = Date.UTC(2026, 11, 4, 10, 0, 0);
const SMALL: CatalogueOptions = { products: 40, warehouses: 3, customers: 12, invoices: 25, salesOrders: 15, priceBooks: 4, seed: 7 };

interface Harness {
  sim: ZohoSimulator;
  /** The simulator's clock; tests move it. */
  clock: { now: number };
}

const running: ZohoSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

async function simulator(options: Partial<ZohoSimulatorOptions> = {}): Promise<Harness> {
  const clock = { now: START };
  const sim = await ZohoSimulator.start({ ...CREDENTIALS, clock: () => clock.now, ...options });
  running.push(sim);
  return { sim, clock };
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

function grant(sim: ZohoSimulator, params: Partial<Record<'refresh_token' | 'client_id' | 'client_secret' | 'grant_type', string>> = {}): Promise<Reply> {
  const body = new URLSearchParams({
    refresh_token: CREDENTIALS.refreshToken,
    client_id: CREDENTIALS.clientId,
    client_secret: CREDENTIALS.clientSecret,
    grant_type: 'refresh_token',
    ...params,
  });
  return call(`${sim.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

async function accessToken(sim: ZohoSimulator): Promise<string> {
  const reply = await grant(sim);
  return reply.json<{ access_token: string }>().access_token;
}

/** GET {url}/inventory/v1/<path>?<query> with the token; organization_id added unless the query names one. */
function get(sim: ZohoSimulator, token: string | undefined, path: string, query: Record<string, string> = {}, product = 'inventory/v1'): Promise<Reply> {
  const params = new URLSearchParams({ organization_id: CREDENTIALS.organizationId, ...query });
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Zoho-oauthtoken ${token}` };
  return call(`${sim.url}/${product}/${path}?${params}`, { headers });
}

interface ListBody {
  code: number;
  page_context: { page: number; per_page: number; has_more_page: boolean; sort_column: string; sort_order: string };
  [key: string]: unknown;
}

const idsOf = (records: unknown, idField = 'item_id'): string[] => (records as Record<string, unknown>[]).map((record) => String(record[idField]));

function item(id: string, lastModified: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { item_id: id, name: `Item ${id}`, sku: `SKU-${id}`, rate: 10, unit: 'pcs', last_modified_time: lastModified, ...more };
}

describe('ZohoSimulator: OAuth', () => {
  it('grants an access token for the refresh token and client, which then reads the API', async () => {
    const { sim } = await simulator({ accessTokenTtlS: 1800 });
    const reply = await grant(sim);
    expect(reply.status).toBe(200);
    const body = reply.json<{ access_token: string; api_domain: string; token_type: string; expires_in: number }>();
    expect(body).toEqual({ access_token: expect.stringMatching(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/), api_domain: sim.url, token_type: 'Bearer', expires_in: 1800 });
    expect(sim.tokenRefreshes).toBe(1);
    expect((await get(sim, body.access_token, 'items')).status).toBe(200);

    // Zoho takes the parameters in the query string as well.
    const query = new URLSearchParams({
      refresh_token: CREDENTIALS.refreshToken,
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      grant_type: 'refresh_token',
    });
    const byQuery = await call(`${sim.url}/oauth/v2/token?${query}`, { method: 'POST' });
    expect(byQuery.json()).toHaveProperty('access_token');
    expect(sim.tokenRefreshes).toBe(2);
  });

  it.each([
    ['an unknown refresh token', { refresh_token: 'refresh-token-other' }],
    ['another client id', { client_id: 'client-other' }],
    ['a wrong client secret', { client_secret: 'client-secret-other' }],
  ])('answers 200 {"error":"invalid_code"} to %s, issuing nothing', async (_case, params) => {
    const { sim } = await simulator();
    const reply = await grant(sim, params);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ error: 'invalid_code' });
    expect(sim.tokenRefreshes).toBe(0);
    expect((await grant(sim, { grant_type: 'authorization_code' })).json()).toEqual({ error: 'unsupported_grant_type' });
  });

  it('after revokeRefreshToken answers invalid_code and refuses the tokens issued from it, until restored', async () => {
    const { sim } = await simulator();
    const token = await accessToken(sim);
    sim.revokeRefreshToken();
    expect((await grant(sim)).json()).toEqual({ error: 'invalid_code' });
    expect((await get(sim, token, 'items')).status).toBe(401);
    sim.restoreRefreshToken();
    const fresh = await accessToken(sim);
    expect((await get(sim, fresh, 'items')).status).toBe(200);
    expect(sim.tokenRefreshes).toBe(2);
  });

  it('answers 401 code 57 for an expired, expired-on-demand, unknown or missing token', async () => {
    const { sim, clock } = await simulator({ accessTokenTtlS: 60 });
    const unauthorized = { code: 57, message: 'You are not authorized to perform this operation' };
    const token = await accessToken(sim);
    clock.now += 59_000;
    expect((await get(sim, token, 'items')).status).toBe(200);
    clock.now += 1_000;
    const expired = await get(sim, token, 'items');
    expect([expired.status, expired.json()]).toEqual([401, unauthorized]);

    const second = await accessToken(sim);
    expect((await get(sim, second, 'items')).status).toBe(200);
    sim.expireAccessTokens();
    expect((await get(sim, second, 'items')).status).toBe(401);
    expect((await get(sim, '1000.unknown.token', 'items')).status).toBe(401);
    expect((await get(sim, undefined, 'items')).status).toBe(401);
    const bearer = await call(`${sim.url}/inventory/v1/items?organization_id=${CREDENTIALS.organizationId}`, { headers: { authorization: `Bearer ${second}` } });
    expect(bearer.status).toBe(401);
    expect((await get(sim, await accessToken(sim), 'items')).status).toBe(200);
  });

  it('keeps no secret in its request log', async () => {
    const { sim } = await simulator();
    const token = await accessToken(sim);
    await grant(sim, { refresh_token: 'refresh-token-typo' });
    await get(sim, token, 'items');
    const log = JSON.stringify(sim.requests);
    for (const secret of [CREDENTIALS.clientSecret, CREDENTIALS.refreshToken, 'refresh-token-typo', token]) expect(log).not.toContain(secret);
    expect(sim.requests.map(({ path, status, error }) => ({ path, status, error }))).toEqual([
      { path: '/oauth/v2/token', status: 200, error: undefined },
      { path: '/oauth/v2/token', status: 200, error: 'invalid_code' },
      { path: '/inventory/v1/items', status: 200, error: undefined },
    ]);
  });
});

describe('ZohoSimulator: lists', () => {
  it('requires the organization_id of its organisation: 400 code 6041', async () => {
    const { sim } = await simulator();
    const token = await accessToken(sim);
    const missing = await call(`${sim.url}/inventory/v1/items`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });
    expect([missing.status, missing.json().code]).toEqual([400, 6041]);
    const other = await get(sim, token, 'items', { organization_id: 'org-other' });
    expect([other.status, other.json().code]).toEqual([400, 6041]);
    const unknown = await get(sim, token, 'warehouses');
    expect([unknown.status, unknown.json().code]).toEqual([404, 5]);
  });

  it('pages by page and per_page (at most 200) with page_context.has_more_page', async () => {
    const { sim } = await simulator();
    sim.seed({ ...SMALL, products: 450 });
    const token = await accessToken(sim);
    const pages: ListBody[] = [];
    for (const page of [1, 2, 3, 4]) pages.push((await get(sim, token, 'items', { page: String(page), per_page: '200', sort_column: 'last_modified_time', sort_order: 'A' })).json<ListBody>());
    expect(pages.map((body) => (body.items as unknown[]).length)).toEqual([200, 200, 50, 0]);
    expect(pages.map((body) => body.page_context.has_more_page)).toEqual([true, true, false, false]);
    expect(pages[0]).toMatchObject({ code: 0, message: 'success', page_context: { page: 1, per_page: 200, sort_column: 'last_modified_time', sort_order: 'A' } });
    const served = pages.flatMap((body) => idsOf(body.items));
    expect(served).toEqual(idsOf(sim.records('product')));
    expect(new Set(served).size).toBe(450);

    const capped = (await get(sim, token, 'items', { per_page: '1000' })).json<ListBody>();
    expect([(capped.items as unknown[]).length, capped.page_context.per_page, capped.page_context.has_more_page]).toEqual([200, 200, true]);
    const small = (await get(sim, token, 'items', { per_page: '50', page: '9' })).json<ListBody>();
    expect([(small.items as unknown[]).length, small.page_context.has_more_page]).toEqual([50, false]);
    const refused: Record<string, string>[] = [{ page: '0' }, { page: 'two' }, { per_page: '-5' }, { sort_order: 'D' }, { sort_column: 'name' }, { last_modified_time: 'yesterday' }];
    for (const bad of refused) {
      const reply = await get(sim, token, 'items', bad);
      expect([reply.status, reply.json().code]).toEqual([400, 2]);
    }
  });

  it('serves every entity type under its response key, on the Inventory and the Books paths', async () => {
    const { sim } = await simulator();
    sim.seed(SMALL);
    const token = await accessToken(sim);
    for (const type of ZOHO_ENTITY_TYPES) {
      const { listPath, responseKey, idField } = ZOHO_ENTITY_SHAPES[type];
      for (const product of ['inventory/v1', 'books/v3']) {
        const body = (await get(sim, token, listPath, {}, product)).json<ListBody>();
        expect(idsOf(body[responseKey], idField)).toEqual(idsOf(sim.records(type), idField));
      }
    }
    const [first] = sim.records('customer');
    const one = await get(sim, token, `contacts/${String(first.contact_id)}`);
    expect(one.json()).toEqual({ code: 0, message: 'success', contact: first });
  });

  it('filters last_modified_time inclusively and sorts by (last_modified_time, id), stable across a page edge inside one second', async () => {
    const { sim } = await simulator();
    const shared = '2026-12-04T10:15:30+0000';
    // 450 records in one second, put in scrambled order; others just before and after it.
    const sharedIds = Array.from({ length: 450 }, (_, n) => String(5_000_000 + n));
    for (const n of [...sharedIds.keys()].sort((a, b) => ((a * 7919) % 450) - ((b * 7919) % 450))) sim.put('product', item(sharedIds[n], shared));
    sim.put('product', item('1', '2026-12-04T10:15:29+0000'));
    sim.put('product', item('2', '2026-12-04T13:15:31+0300'));
    sim.put('product', item('3', '2026-12-04T10:15:31+0000'));
    const token = await accessToken(sim);

    const served: string[] = [];
    for (let page = 1; ; page += 1) {
      const body = (await get(sim, token, 'items', { last_modified_time: shared, page: String(page) })).json<ListBody>();
      served.push(...idsOf(body.items));
      if (!body.page_context.has_more_page) break;
    }
    // '2' at 13:15:31+0300 is 10:15:31Z, the same second as '3': by id within it.
    expect(served).toEqual([...sharedIds, '2', '3']);

    // The zone may be written with a colon or sent with its `+` unencoded (it arrives as a space).
    const raw = await call(`${sim.url}/inventory/v1/items?organization_id=${CREDENTIALS.organizationId}&last_modified_time=2026-12-04T10:15:31+0000`, {
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
    expect(idsOf(raw.json().items)).toEqual(['2', '3']);
    expect(idsOf((await get(sim, token, 'items', { last_modified_time: '2026-12-04T13:15:31+03:00' })).json().items)).toEqual(['2', '3']);
    expect(idsOf((await get(sim, token, 'items', { last_modified_time: '2026-12-04T10:15:32+0000' })).json().items)).toEqual([]);
  });

  it("walks a seeded catalogue's shared timestamps the way TDS pages, reading every record, none skipped", async () => {
    const { sim } = await simulator();
    sim.seed({ ...SMALL, products: 1500, sameTimestampRuns: 3 });
    const products = sim.records('product');
    const bySecond = new Map<string, number>();
    for (const record of products) bySecond.set(String(record.last_modified_time), (bySecond.get(String(record.last_modified_time)) ?? 0) + 1);
    expect([...bySecond.values()].filter((size) => size >= MIN_SAME_TIMESTAMP_RUN)).toHaveLength(3);
    const token = await accessToken(sim);

    // The pull's paging (/work/pull-design.md): after a page whose newest time T is past the lower
    // bound, ask again from T at page 1; when the whole page sits at the bound, the next page.
    const seen = new Set<string>();
    let lowerBound: string | undefined;
    let page = 1;
    for (let requests = 0; requests < 100; requests += 1) {
      const body = (await get(sim, token, 'items', { page: String(page), ...(lowerBound ? { last_modified_time: lowerBound } : {}) })).json<ListBody>();
      const records = body.items as Record<string, unknown>[];
      for (const id of idsOf(records)) seen.add(id);
      if (!body.page_context.has_more_page) break;
      const newest = String(records[records.length - 1].last_modified_time);
      if (newest !== lowerBound) [lowerBound, page] = [newest, 1];
      else page += 1;
    }
    expect(seen.size).toBe(1500);
    expect([...seen].sort()).toEqual(idsOf(products).sort());
  });

  it('serves price books whatever the filter, by id, with an empty last_modified_time', async () => {
    const { sim } = await simulator();
    sim.seed({ ...SMALL, priceBooks: 5 });
    const token = await accessToken(sim);
    const body = (await get(sim, token, 'pricebooks', { last_modified_time: '2030-01-01T00:00:00+0000' })).json<ListBody>();
    const ids = idsOf(body.pricebooks, 'pricebook_id');
    expect(ids).toHaveLength(5);
    expect(ids).toEqual([...ids].sort());
    expect((body.pricebooks as Record<string, unknown>[]).every((book) => book.last_modified_time === '')).toBe(true);
  });

  it('touch() edits a record and moves it to a newer last_modified_time, second precision, in Zoho format', async () => {
    const { sim, clock } = await simulator();
    sim.seed(SMALL);
    const [oldest] = sim.records('product');
    const id = String(oldest.item_id);
    clock.now = START + 30_999;
    const touched = sim.touch('product', id, { rate: 99.5 });
    expect(touched).toMatchObject({ item_id: id, rate: 99.5, last_modified_time: '2026-12-04T10:00:30+0000' });
    expect(parseZohoTimestamp(touched.last_modified_time)).toBe(START + 30_000);
    const records = sim.records('product');
    expect(records[records.length - 1]).toEqual(touched);
    expect(records).toHaveLength(SMALL.products);

    const token = await accessToken(sim);
    const since = (await get(sim, token, 'items', { last_modified_time: '2026-12-04T10:00:30+0000' })).json<ListBody>();
    expect(since.items).toEqual([touched]);

    // An explicit time; the id cannot be changed by an edit; a price book keeps its empty time.
    const at = sim.touch('product', id, { item_id: 'another', name: 'Renamed' }, Date.UTC(2027, 0, 2, 3, 4, 5));
    expect(at).toMatchObject({ item_id: id, name: 'Renamed', last_modified_time: '2027-01-02T03:04:05+0000' });
    const [book] = sim.records('price_list');
    expect(sim.touch('price_list', String(book.pricebook_id), { name: 'Wholesale 2027' })).toMatchObject({ name: 'Wholesale 2027', last_modified_time: '' });
    expect(() => sim.touch('product', 'no-such-item')).toThrow('No product no-such-item');
  });

  it('put() inserts or replaces records verbatim, remove() takes one out', async () => {
    const { sim } = await simulator();
    const odd = item('77', '2026-12-04T10:00:00+0000', { name: '', custom: { nested: [1, 2] } });
    sim.put('product', odd);
    sim.put('product', item('12', '2026-12-04T09:00:00+0000'));
    expect(sim.records('product')).toEqual([item('12', '2026-12-04T09:00:00+0000'), odd]);
    sim.put('product', item('12', '2026-12-04T11:00:00+0000'));
    expect(idsOf(sim.records('product'))).toEqual(['77', '12']);
    expect(sim.remove('product', '77')).toEqual(odd);
    expect(idsOf(sim.records('product'))).toEqual(['12']);
    expect(() => sim.put('product', { name: 'no id' })).toThrow('item_id');
  });
});

describe('ZohoSimulator: faults on demand', () => {
  it('failRequests answers the next N API calls 5xx, then heals; the token endpoint is not an API call', async () => {
    const { sim } = await simulator();
    const token = await accessToken(sim);
    sim.failRequests(2, 503);
    sim.failRequests(1);
    expect((await grant(sim)).status).toBe(200);
    const first = await get(sim, token, 'items');
    expect([first.status, first.json()]).toEqual([503, { code: -1, message: 'Service Temporarily Unavailable' }]);
    expect((await get(sim, token, 'contacts')).status).toBe(503);
    expect((await get(sim, token, 'items')).status).toBe(500);
    expect((await get(sim, token, 'items')).status).toBe(200);
    expect(() => sim.failRequests(1, 404)).toThrow('500-599');
  });

  it('failFor answers every API call 5xx for a while', async () => {
    const { sim, clock } = await simulator();
    const token = await accessToken(sim);
    sim.failFor(10_000, 502);
    expect((await get(sim, token, 'items')).status).toBe(502);
    clock.now += 9_999;
    expect((await get(sim, token, 'invoices')).status).toBe(502);
    clock.now += 1;
    expect((await get(sim, token, 'items')).status).toBe(200);
  });

  it('rateLimitStorm answers 429 code 44 with Retry-After for a while', async () => {
    const { sim, clock } = await simulator();
    const token = await accessToken(sim);
    sim.rateLimitStorm(5_000, 2);
    const limited = await get(sim, token, 'items');
    expect([limited.status, limited.json().code, limited.headers.get('retry-after')]).toEqual([429, 44, '2']);
    clock.now += 5_000;
    expect((await get(sim, token, 'items')).status).toBe(200);

    sim.rateLimitStorm(4_500);
    clock.now += 1_000;
    expect((await get(sim, token, 'items')).headers.get('retry-after')).toBe('4');
  });

  it('malformResponses answers the next list calls 200 with a non-JSON or a truncated body', async () => {
    const { sim } = await simulator();
    sim.seed(SMALL);
    const token = await accessToken(sim);
    const whole = (await get(sim, token, 'items')).text;
    sim.malformResponses(1, 'non-json');
    sim.malformResponses(1, 'truncated');
    const html = await get(sim, token, 'items');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(() => html.json()).toThrow();
    const truncated = await get(sim, token, 'items');
    expect(truncated.status).toBe(200);
    expect(() => truncated.json()).toThrow();
    expect(truncated.text.length).toBeGreaterThan(0);
    expect(whole.startsWith(truncated.text)).toBe(true);
    expect((await get(sim, token, 'items')).text).toBe(whole);
    expect(sim.requests.slice(-3).map((request) => request.error)).toEqual(['malformed:non-json', 'malformed:truncated', undefined]);
  });

  it('keeps to its rate window per organisation: over it 429 with the seconds until a call leaves the window', async () => {
    const { sim, clock } = await simulator({ rateLimit: { requests: 3, windowMs: 60_000 } });
    const token = await accessToken(sim);
    for (let n = 0; n < 3; n += 1) {
      expect((await get(sim, token, 'items')).status).toBe(200);
      clock.now += 1_000;
    }
    const over = await get(sim, token, 'items');
    expect([over.status, over.json().code, over.headers.get('retry-after')]).toEqual([429, 44, '57']);
    clock.now += 30_000;
    // Refused calls are not counted: the window still holds the three served ones.
    expect((await get(sim, token, 'items')).headers.get('retry-after')).toBe('27');
    clock.now = START + 60_000;
    expect((await get(sim, token, 'items')).status).toBe(200);
    expect((await get(sim, token, 'items')).status).toBe(429);
    // The token endpoint is the accounts server's: not counted.
    expect((await grant(sim)).status).toBe(200);
  });

  it('logs every request: time, method, path, organisation, status, page, query', async () => {
    const { sim, clock } = await simulator();
    const token = await accessToken(sim);
    clock.now += 5;
    await get(sim, token, 'salesorders', { page: '3', per_page: '20' }, 'books/v3');
    await get(sim, token, 'items', { organization_id: 'org-other' });
    expect(sim.requests).toEqual([
      { at: START, method: 'POST', path: '/oauth/v2/token', status: 200 },
      {
        at: START + 5,
        method: 'GET',
        path: '/books/v3/salesorders',
        organizationId: CREDENTIALS.organizationId,
        status: 200,
        page: 3,
        query: { organization_id: CREDENTIALS.organizationId, page: '3', per_page: '20' },
      },
      { at: START + 5, method: 'GET', path: '/inventory/v1/items', organizationId: 'org-other', status: 400, query: { organization_id: 'org-other' }, error: 'organization' },
    ]);
  });
});

describe('ZohoSimulator: onRequest', () => {
  it('tells a listener of each request before answering it, so a fault it sets applies to that request', async () => {
    const { sim } = await simulator();
    sim.seed({ ...SMALL, products: 450 });
    const seen: unknown[] = [];
    const unsubscribe = sim.onRequest((request) => {
      seen.push({ path: request.path, page: request.page, query: request.query });
      if (request.page === 2) sim.expireAccessTokens();
    });
    const token = await accessToken(sim);
    expect((await get(sim, token, 'items', { page: '1' })).status).toBe(200);
    expect((await get(sim, token, 'items', { page: '2' })).status).toBe(401);
    unsubscribe();
    const fresh = await accessToken(sim);
    expect((await get(sim, fresh, 'items', { page: '2' })).status).toBe(200);
    expect(seen).toEqual([
      { path: '/oauth/v2/token', page: undefined, query: undefined },
      { path: '/inventory/v1/items', page: 1, query: { organization_id: CREDENTIALS.organizationId, page: '1' } },
      { path: '/inventory/v1/items', page: 2, query: { organization_id: CREDENTIALS.organizationId, page: '2' } },
    ]);
  });
});

describe('generateCatalogue', () => {
  const options: CatalogueOptions = { products: 300, warehouses: 4, customers: 60, invoices: 150, salesOrders: 80, priceBooks: 6, seed: 42 };

  it('is deterministic for a seed, and another seed gives another catalogue', () => {
    expect(generateCatalogue(options)).toEqual(generateCatalogue(options));
    expect(generateCatalogue({ ...options, seed: 43 }).product[0]).not.toEqual(generateCatalogue(options).product[0]);
  });

  it('makes a realistic, consistent catalogue: stock per warehouse, lines referencing its items and customers', () => {
    const catalogue = generateCatalogue(options);
    expect(catalogue.product).toHaveLength(300);
    expect(new Set(catalogue.product.map((product) => product.sku)).size).toBe(300);
    const products = new Map(catalogue.product.map((product) => [product.item_id, product]));
    const customers = new Set(catalogue.customer.map((customer) => customer.contact_id));
    for (const product of catalogue.product) {
      const warehouses = product.warehouses as Record<string, number>[];
      expect(warehouses).toHaveLength(4);
      expect(product.stock_on_hand).toBe(warehouses.reduce((sum, warehouse) => sum + warehouse.warehouse_stock_on_hand, 0));
      expect(parseZohoTimestamp(product.created_time)).toBeLessThanOrEqual(parseZohoTimestamp(product.last_modified_time) as number);
      expect(product.last_modified_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    }
    for (const document of [...catalogue.invoice, ...catalogue.sales_order]) {
      expect(customers.has(document.customer_id)).toBe(true);
      const lines = document.line_items as Record<string, unknown>[];
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines.filter((entry) => entry.item_id !== undefined)) expect(products.get(line.item_id)).toMatchObject({ sku: line.sku, name: line.name });
    }
    const pricebookItems = catalogue.price_list.flatMap((book) => (book.pricebook_items as Record<string, unknown>[] | undefined) ?? []);
    expect(pricebookItems.length).toBeGreaterThan(0);
    expect(pricebookItems.every((entry) => products.has(entry.item_id))).toBe(true);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateCatalogue({ ...options, customers: 0 })).toThrow('at least one customer');
    expect(() => generateCatalogue({ ...options, warehouses: 1001 })).toThrow('warehouses');
    expect(() => generateCatalogue({ ...options, products: -1 })).toThrow('products');
  });
});

/** A Zoho source as TDS configures it by default. */
const ZOHO_SOURCE: WebhookSource = { name: 'zoho', shape: 'zoho', secrets: ['unused'], signatureHeader: 'x-zoho-webhook-signature', signedContent: 'body', rateLimit: 20000 };

describe('catalogue records pass TDS', () => {
  const mapper = new ZohoDeliveryMapper(new EntityProcessorRegistry(), new ConfigService({ ingest: ingestConfig() }));
  const mapAll = (records: Record<string, unknown>[], type: ZohoEntityType) =>
    records.map((record) => {
      const body = { [ZOHO_ENTITY_SHAPES[type].module]: record };
      return mapper.map({ source: ZOHO_SOURCE, rawBody: Buffer.from(JSON.stringify(body)), body, headers: {}, query: {}, receivedAt: START });
    });

  it('maps every generated record, of every type, through ZohoDeliveryMapper and its processors', () => {
    const catalogue = generateCatalogue({ products: 400, warehouses: 3, customers: 150, invoices: 300, salesOrders: 200, priceBooks: 8, seed: 5, sameTimestampRuns: 1 });
    for (const type of ZOHO_ENTITY_TYPES) {
      const results = mapAll(catalogue[type], type);
      expect(results.filter((result) => !result.ok)).toEqual([]);
      for (const result of results) if (result.ok) expect(result.delivery.entityType).toBe(type);
    }
    const [product] = mapAll(catalogue.product.slice(0, 1), 'product');
    expect(product.ok && product.delivery.items.map((entry) => entry.entityType)).toEqual(['product', 'stock_level', 'stock_level', 'stock_level']);
    const [book] = mapAll(catalogue.price_list.slice(0, 1), 'price_list');
    expect(book.ok && book.delivery).toMatchObject({ version: START, versionFromReceipt: true });
    const [invoice] = mapAll(catalogue.invoice.slice(0, 1), 'invoice');
    expect(invoice.ok && invoice.delivery.version).toBe(parseZohoTimestamp(catalogue.invoice[0].last_modified_time));
  });

  it('keeps records valid as they change over time', async () => {
    const { sim } = await simulator();
    const seeded: CatalogueOptions = { ...SMALL, seed: 11 };
    sim.seed(seeded);
    const changes = new CatalogueChanges(seeded);
    let created = 0;
    for (let n = 0; n < 600; n += 1) {
      const at = START + n * 1000;
      const change = changes.next((type, id) => sim.record(type, id), at);
      if (!change) continue;
      if (change.event === 'created') {
        sim.put(change.entityType, change.record);
        created += 1;
      } else sim.touch(change.entityType, change.id, change.changes, at);
    }
    expect(created).toBeGreaterThan(0);
    for (const type of ZOHO_ENTITY_TYPES) expect(mapAll(sim.records(type), type).filter((result) => !result.ok)).toEqual([]);
    const token = await accessToken(sim);
    const recent = (await get(sim, token, 'items', { last_modified_time: zohoTimestamp(START) })).json<ListBody>();
    expect((recent.items as unknown[]).length).toBeGreaterThan(0);
  });
});

describe('ZohoSimulator: signed webhooks into a real TDS', () => {
  const SECRET = 'zoho-webhook-secret-7001';
  const QUERY_SECRET = 'zoho-query-secret-7001';
  let testApp: TestApp;
  let base: string;

  beforeAll(async () => {
    testApp = await createTestApp({
      DATABASE_URL: '',
      TDS_DATA_DIR: 'memory',
      TDS_WORKERS_ENABLED: 'false',
      TDS_OUTBOX_RELAY_ENABLED: 'false',
      TDS_INGEST_GROUP_WINDOW_MS: '0',
      TDS_SOURCES: 'zoho,zoho_signed_query',
      TDS_SOURCES_ZOHO_SECRETS: SECRET,
      // A second Zoho-shaped source that signs the query and a timestamp too.
      TDS_SOURCES_ZOHO_SIGNED_QUERY_SHAPE: 'zoho',
      TDS_SOURCES_ZOHO_SIGNED_QUERY_SECRETS: QUERY_SECRET,
      TDS_SOURCES_ZOHO_SIGNED_QUERY_SIGNED_CONTENT: 'query+body',
      TDS_SOURCES_ZOHO_SIGNED_QUERY_TIMESTAMP_HEADER: 'x-zoho-timestamp',
    });
    await testApp.app.listen(0, '127.0.0.1');
    const { port } = testApp.app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}/api/tds/webhooks`;
  });
  afterAll(async () => {
    await testApp?.close();
  });

  const inbox = (source: string, id: string) =>
    testApp.app
      .get(DataSource)
      .query(`SELECT entity_type, operation, status, signature_verified FROM tds_inbox_events WHERE source = $1 AND source_entity_id = $2 ORDER BY id`, [source, id]) as Promise<
      Record<string, unknown>[]
    >;

  it('delivers every entity type as TDS accepts it (202), a redelivery as a duplicate (200), a deletion', async () => {
    // Timestamps of the catalogue are checked against no clock: the simulator's own is real time here.
    const { sim } = await simulator({ clock: Date.now });
    sim.seed({ ...SMALL, seed: 21 });
    const target = { url: `${base}/zoho`, secret: SECRET };
    for (const type of ZOHO_ENTITY_TYPES) {
      const [record] = sim.records(type);
      expect(await sim.sendWebhook(target, type, String(record[ZOHO_ENTITY_SHAPES[type].idField]))).toBe(202);
    }
    const [product] = sim.records('product');
    const id = String(product.item_id);
    expect(await sim.sendWebhook(target, 'product', id, 'updated')).toBe(200);
    sim.touch('product', id, { rate: 12.25 });
    expect(await sim.sendWebhook(target, 'product', id, 'updated')).toBe(202);
    expect(await sim.sendWebhook(target, 'product', id, 'deleted')).toBe(202);
    expect(sim.record('product', id)).toBeUndefined();
    expect(await sim.sendWebhook(target, 'product', id, 'deleted')).toBe(200);
    expect(await inbox('zoho', id)).toEqual([
      { entity_type: 'product', operation: 'update', status: 'queued', signature_verified: true },
      { entity_type: 'product', operation: 'update', status: 'queued', signature_verified: true },
      { entity_type: 'product', operation: 'delete', status: 'queued', signature_verified: true },
    ]);

    const [customer] = sim.records('customer');
    expect(await sim.sendWebhook(target, 'customer', String(customer.contact_id), 'created')).toBe(202);
    expect((await inbox('zoho', String(customer.contact_id))).map((row) => row.operation)).toEqual(['update', 'create']);
    expect(await sim.sendWebhook({ ...target, secret: 'not-the-secret' }, 'customer', String(customer.contact_id))).toBe(401);
    await expect(sim.sendWebhook(target, 'invoice', 'no-such-invoice')).rejects.toThrow('No invoice no-such-invoice');
  });

  it('signs the query and a timestamp too when the source says so', async () => {
    const { sim } = await simulator({ clock: Date.now });
    sim.seed({ ...SMALL, seed: 22 });
    const [order] = sim.records('sales_order');
    const id = String(order.salesorder_id);
    const target = { url: `${base}/zoho_signed_query`, secret: QUERY_SECRET, signedContent: 'query+body' as const, timestampHeader: 'x-zoho-timestamp' };
    expect(await sim.sendWebhook(target, 'sales_order', id, 'created')).toBe(202);
    expect(await sim.sendWebhook({ ...target, signedContent: 'body' }, 'sales_order', id, 'updated')).toBe(401);
    expect((await inbox('zoho_signed_query', id)).map((row) => row.operation)).toEqual(['create']);
  });
});

describe('the simulator CLI', () => {
  it('starts a seeded simulator from flags, prints its URL first, and stops', async () => {
    const lines: string[] = [];
    const cli = await main(['--products', '30', '--customers', '5', '--invoices', '4', '--sales-orders', '3', '--price-books', '2', '--organization-id', 'org-cli', '--rate-per-minute', '0'], (line) => lines.push(line));
    expect(cli).toBeDefined();
    const sim = cli!.simulator;
    try {
      expect(lines[0]).toBe(sim.url);
      expect(lines.join('\n')).not.toContain('sim-client-secret');
      expect(ZOHO_ENTITY_TYPES.map((type) => sim.count(type))).toEqual([30, 5, 4, 3, 2]);
      const token = (await grant(sim, { client_id: 'sim-client-id', client_secret: 'sim-client-secret', refresh_token: 'sim-refresh-token' })).json<{ access_token: string }>().access_token;
      const reply = await call(`${sim.url}/inventory/v1/items?organization_id=org-cli`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });
      expect(reply.json<ListBody>().items).toHaveLength(30);
    } finally {
      await cli!.stop();
    }
    await expect(main(['--products', 'many'], () => undefined)).rejects.toThrow('--products must be a whole number');
    await expect(main(['--webhook-url', 'http://127.0.0.1:1/x'], () => undefined)).rejects.toThrow('--webhook-url and --webhook-secret go together');
  });
});
