import type { TestApp } from '../../support/create-test-app.js';
import { createTestApp } from '../../support/create-test-app.js';
import { zohoItem } from '../../modules/tds/fixtures/zoho-payloads.js';
import { countStored, deliver, embeddedWebhookEnv, KEYS } from '../../modules/tds/webhooks/webhook-test-kit.js';

/** A JSON value nested `depth` levels deep: `{"k":{"k":…[]…}}`. */
const deep = (depth: number) => JSON.parse('{"k":'.repeat(depth - 1) + '[]' + '}'.repeat(depth - 1)) as unknown;
const deepText = (depth: number) => '{"k":'.repeat(depth - 1) + '[]' + '}'.repeat(depth - 1);

/**
 * Every body is checked for depth on its raw bytes before it is parsed: a body nested
 * thousands deep used to reach recursive code (the canonical JSON of the idempotency key) and
 * end as a 500.
 */
describe('JSON depth limit on every body', () => {
  let testApp: TestApp;
  const app = () => testApp.app;

  beforeAll(async () => {
    testApp = await createTestApp(embeddedWebhookEnv);
  });
  afterAll(() => testApp?.close());

  it('answers a signed webhook nested 100,000 deep 400 JSON_TOO_DEEP and stores nothing', async () => {
    const before = await countStored(app());
    const body = `{"item":${JSON.stringify({ ...zohoItem, custom: 'X' }).replace('"X"', deepText(100_000))}}`;
    const res = await deliver(app(), 'zoho', body, { raw: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'JSON_TOO_DEEP', message: expect.stringContaining('64') });
    expect(await countStored(app())).toEqual(before);
  });

  it('still refuses an unsigned deep body as unauthenticated first', async () => {
    const res = await deliver(app(), 'zoho', deepText(100_000), { raw: true, signature: false });
    expect(res.statusCode).toBe(401);
  });

  it('takes a record nested to the limit', async () => {
    // The body is the first level, the record the second: 62 more inside it make 64.
    const res = await deliver(app(), 'zoho', { item: { ...zohoItem, item_id: 'deep-ok', custom: deep(62) } });
    expect(res.statusCode).toBe(202);
    const tooDeep = await deliver(app(), 'zoho', { item: { ...zohoItem, item_id: 'deep-no', custom: deep(63) } });
    expect(tooDeep.statusCode).toBe(400);
  });

  it('answers a deep bulk payload 400 before parsing, and stores nothing', async () => {
    const before = await countStored(app());
    const body = JSON.stringify({ items: [{ entityType: 'customer', sourceEntityId: 'c1', operation: 'update', version: 1, payload: { x: 'X' } }] }).replace(
      '"X"',
      deepText(100_000),
    );
    const res = await app().inject({
      method: 'POST',
      url: '/api/tds/queue',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.service}` },
      payload: body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'JSON_TOO_DEEP' });
    expect(await countStored(app())).toEqual(before);
  });

  it('answers 400 on every route that takes a body (the OpenAPI document lists them)', async () => {
    const document = (await app().inject({ method: 'GET', url: '/api/docs-json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => ({ method: method.toUpperCase() as 'POST', url: path.replace('{source}', 'generic').replace(/\{[^}]+\}/g, '1') })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const route of routes) {
      const payload = deepText(5_000);
      const signed = route.url.startsWith('/api/tds/webhooks/');
      const res = signed
        ? await deliver(app(), 'generic', payload, { raw: true })
        : await app().inject({ ...route, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` }, payload });
      expect({ ...route, status: res.statusCode, error: res.json().error }).toEqual({ ...route, status: 400, error: 'JSON_TOO_DEEP' });
    }
  });
});
