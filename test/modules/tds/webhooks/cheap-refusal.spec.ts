import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { zohoContact, zohoItem } from '../fixtures/zoho-payloads.js';
import { countStored, deliver, embeddedWebhookEnv, KEYS } from './webhook-test-kit.js';

/**
 * The cheapest refusal comes first: a request that is not authenticated is answered before its
 * body is parsed (a webhook's signature is checked on the raw bytes, an API route's key before
 * the body is even read), and failed signatures spend their own per-address budget, never a
 * source's.
 */
describe('cheap refusal first', () => {
  let testApp: TestApp;
  const app = () => testApp.app;

  beforeAll(async () => {
    testApp = await createTestApp({ ...embeddedWebhookEnv, TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT: '5' });
  });
  afterAll(() => testApp?.close());

  /** How often JSON.parse ran while `run` did. */
  async function parsesDuring<T>(run: () => Promise<T>): Promise<{ result: T; parses: number }> {
    const spy = jest.spyOn(JSON, 'parse');
    try {
      const result = await run();
      return { result, parses: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  const slowDelivery = (n: number) => ({
    entityType: 'customer',
    sourceEntityId: `flood-${n}`,
    operation: 'update',
    version: 1,
    payload: { ...zohoContact, contact_id: `flood-${n}` },
  });

  it('a flood of bad signatures does not turn a signed delivery into 429, from another address or the same one', async () => {
    // `slow` takes 2 deliveries/s: before, the first two forged ones spent the source's whole second.
    const attacker = { remoteAddress: '198.51.100.7' };
    const forged = [];
    for (let n = 0; n < 30; n++) {
      forged.push(await deliver(app(), 'slow', slowDelivery(n), { signature: 'ab'.repeat(32), ...attacker }));
    }
    expect(forged.slice(0, 5).map((res) => res.statusCode)).toEqual([401, 401, 401, 401, 401]);
    // Past its own budget (5/s, refilling while the flood goes on) the address is answered 429
    // in place of more 401s.
    expect(forged.every((res) => [401, 429].includes(res.statusCode))).toBe(true);
    const flooded = forged.filter((res) => res.statusCode === 429);
    expect(flooded.length).toBeGreaterThan(0);
    expect(flooded[0].json()).toMatchObject({ error: 'WEBHOOK.TOO_MANY_FAILURES' });
    expect(Number(flooded[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const signed = await deliver(app(), 'slow', slowDelivery(1000));
    expect(signed.statusCode).toBe(202);
    // Even from the flooding address: the signature is checked before its failure budget counts.
    const fromAttacker = await deliver(app(), 'slow', slowDelivery(1001), attacker);
    expect(fromAttacker.statusCode).toBe(202);
  });

  it('refuses an unsigned or forged webhook without parsing its body, and stores nothing', async () => {
    const before = await countStored(app());
    const body = { item: { ...zohoItem, description: 'x'.repeat(200_000) } };
    for (const signature of [false, 'cd'.repeat(32)]) {
      const { result, parses } = await parsesDuring(() => deliver(app(), 'zoho', body, { signature, remoteAddress: '203.0.113.9' }));
      expect(result.statusCode).toBe(401);
      expect(parses).toBe(0);
    }
    // The same body signed is parsed (and stored): the count above is not blind.
    const { result, parses } = await parsesDuring(() => deliver(app(), 'zoho', body));
    expect(result.statusCode).toBe(202);
    expect(parses).toBeGreaterThan(0);
    expect(await countStored(app())).toEqual({ inbox: before.inbox + 1, queue: before.queue + 3 });
  });

  it('refuses an unknown source before parsing', async () => {
    const { result, parses } = await parsesDuring(() => deliver(app(), 'nosuch', { item: zohoItem }));
    expect(result.statusCode).toBe(404);
    expect(result.json()).toMatchObject({ error: 'WEBHOOK.UNKNOWN_SOURCE' });
    expect(parses).toBe(0);
  });

  it('answers a 10 MiB bulk body without a key (or with too small a role) before parsing it', async () => {
    const items = Array.from({ length: 1000 }, (_, n) => ({
      entityType: 'customer',
      sourceEntityId: `bulk-${n}`,
      operation: 'update',
      version: 1,
      payload: { ...zohoContact, notes: 'y'.repeat(10_000) },
    }));
    const payload = JSON.stringify({ items });
    expect(payload.length).toBeGreaterThan(10_000_000);
    const cases = [
      { authorization: undefined, status: 401, error: 'AUTH.MISSING_API_KEY' },
      { authorization: 'Bearer not-a-key-of-this-deployment', status: 401, error: 'AUTH.INVALID_API_KEY' },
      { authorization: `Bearer ${KEYS.viewer}`, status: 403, error: 'AUTH.INSUFFICIENT_ROLE' },
    ];
    for (const { authorization, status, error } of cases) {
      const { result, parses } = await parsesDuring(() =>
        app().inject({
          method: 'POST',
          url: '/api/tds/queue',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          payload,
        }),
      );
      expect({ status: result.statusCode, error: result.json().error, parses }).toEqual({ status, error, parses: 0 });
    }
  });

  it('checks the key before reading the body on every route that takes one (the OpenAPI document lists them)', async () => {
    const document = (await app().inject({ method: 'GET', url: '/api/docs-json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        // The webhook route authenticates by signature (its empty security list), tested above.
        .filter(([, operation]) => !(operation.security?.length === 1 && Object.keys(operation.security[0] as object).length === 0))
        .map(([method]) => ({ method: method.toUpperCase() as 'POST', url: path.replace(/\{[^}]+\}/g, '1') })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes) {
      const { result, parses } = await parsesDuring(() =>
        app().inject({ ...route, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ note: 'x' }) }),
      );
      expect({ ...route, status: result.statusCode, parses }).toEqual({ ...route, status: 401, parses: 0 });
    }
  });
});
