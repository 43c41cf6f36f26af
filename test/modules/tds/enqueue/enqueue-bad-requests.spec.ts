import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { describeEachBackend } from '../../../support/test-database.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { appEnv, countRows, KEYS, postQueue, productItem } from './enqueue-test-kit.js';

/**
 * Bad requests to POST /api/tds/queue: each gets a 4xx with a machine code and the offending
 * path, and leaves nothing behind. Run against PostgreSQL and against the embedded PGlite.
 */
describeEachBackend('POST /api/tds/queue bad requests', (backend) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...appEnv, ...backend.env });
  });
  afterAll(async () => {
    await testApp?.close();
  });
  afterEach(async () => {
    expect(await countRows(testApp.app)).toEqual({ queue: 0, runs: 0, keys: 0, inbox: 0 });
  });

  const post = (body: unknown, options?: Parameters<typeof postQueue>[2]) => postQueue(testApp.app, body, options);
  const expect422 = async (body: unknown, details: { path: string; message: unknown }[], options?: Parameters<typeof postQueue>[2]) => {
    const res = await post(body, options);
    expect(res.statusCode).toBe(422);
    // All problems, in any order: class-validator lists one property's failed rules bottom-up.
    expect(res.json()).toEqual({ statusCode: 422, error: 'VALIDATION_FAILED', message: expect.any(String), details: expect.arrayContaining(details) });
    expect(res.json().details).toHaveLength(details.length);
  };

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    for (const raw of ['{"items": [', '{items: []}', '{"items": [], "__proto__": {"x": 1}}']) {
      const res = await post(raw, { raw: true });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'MALFORMED_JSON' });
    }
  });

  it('a body that is not an object → 422', async () => {
    for (const body of [[], 'items', 42, null]) {
      await expect422(body, [{ path: '', message: 'The body must be a JSON object' }]);
    }
    const bodiless = await testApp.app.inject({ method: 'POST', url: '/api/tds/queue', headers: { authorization: `Bearer ${KEYS.service}` } });
    expect(bodiless.statusCode).toBe(422);
    const empty = await post('', { raw: true });
    expect(empty.json()).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
  });

  it('0 items and 1,001 items → 422 on items', async () => {
    await expect422({ items: [] }, [{ path: 'items', message: 'items must contain at least 1 elements' }]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => productItem(i));
    await expect422({ items: tooMany }, [{ path: 'items', message: 'items must contain at most 1000 elements (got 1001)' }]);
  });

  it('items that is not an array, or missing', async () => {
    for (const items of [{ 0: productItem(0) }, 'x', null, undefined]) {
      const res = await post({ items });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual(expect.arrayContaining([{ path: 'items', message: expect.stringContaining('items must be an array') }]));
    }
  });

  it('items that are arrays, not objects (nested validation alone once let [[]] through as an empty item)', async () => {
    for (const items of [[[]], [productItem(0), [productItem(1)]]]) {
      const res = await post({ items });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual(expect.arrayContaining([{ path: 'items', message: 'items must hold objects, not arrays' }]));
    }
    const payload = { ...productItem(2).payload, warehouses: [[{ warehouse_id: 'w1' }]] };
    const res = await post({ items: [productItem(2, { payload })] });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual(expect.arrayContaining([{ path: 'items[0].payload.warehouses', message: 'warehouses must hold objects, not arrays' }]));
  });

  it('an unknown entity type', async () => {
    await expect422({ items: [productItem(0), productItem(1, { entityType: 'widget' })] }, [
      { path: 'items[1].entityType', message: expect.stringContaining('entityType must be a known entity type: product, customer') },
    ]);
  });

  it('a missing or malformed version', async () => {
    const { version: _version, ...versionless } = productItem(0);
    await expect422({ items: [versionless] }, [{ path: 'items[0].version', message: expect.stringContaining('version must be a non-negative integer') }]);
    for (const version of ['abc', -1, 1.5, '2025-11-18T02:02:51', true, {}]) {
      const res = await post({ items: [productItem(0, { version })] });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual([{ path: 'items[0].version', message: expect.stringMatching(/^version must/) }]);
    }
  });

  it('wrong types in the envelope', async () => {
    await expect422(
      {
        source: 'Zoho Books',
        items: [
          productItem(0, { priority: 11 }),
          productItem(1, { priority: '5', operation: 'upsert' }),
          productItem(2, { sourceEntityId: 17, payload: 'not an object' }),
          productItem(3, { sourceEntityId: 'bad\u0000id' }),
          7,
        ],
      },
      [
        { path: 'source', message: expect.stringContaining('source must be a lowercase name') },
        { path: 'items[0].priority', message: 'priority must not be greater than 10' },
        { path: 'items[1].operation', message: expect.stringContaining('operation must be one of the following values: create, update, delete') },
        { path: 'items[1].priority', message: 'priority must be an integer number' },
        { path: 'items[1].priority', message: 'priority must not be less than 1' },
        { path: 'items[1].priority', message: 'priority must not be greater than 10' },
        { path: 'items[2].sourceEntityId', message: 'sourceEntityId must be a string' },
        { path: 'items[2].sourceEntityId', message: 'sourceEntityId must be 1-200 characters' },
        { path: 'items[2].payload', message: 'payload must be an object' },
        { path: 'items[3].sourceEntityId', message: 'sourceEntityId must not contain control characters or unpaired surrogates' },
        { path: 'items[4]', message: expect.stringContaining('nested property items must be either object or array') },
      ],
    );
  });

  it('unknown envelope fields, top-level and item-level', async () => {
    await expect422({ items: [productItem(0)], dryRun: true }, [{ path: 'dryRun', message: 'property dryRun should not exist' }]);
    await expect422({ items: [productItem(0), productItem(1, { ttl: 60 })] }, [{ path: 'items[1].ttl', message: 'property ttl should not exist' }]);
  });

  it('an invalid payload names the offending field by its full path', async () => {
    const items = [0, 1, 2, 3, 4].map((n) => productItem(n));
    items[3] = productItem(3, { payload: { ...items[3].payload, rate: 'abc' } });
    await expect422({ items }, [{ path: 'items[3].payload.rate', message: expect.stringContaining('rate must be a number') }]);

    items[1] = productItem(1, { payload: { ...items[1].payload, name: 42 } });
    items[4] = {
      entityType: 'customer',
      sourceEntityId: zohoContact.contact_id,
      operation: 'create',
      version: 1,
      payload: { ...zohoContact, email: 'nobody-at-example' },
    } as never;
    await expect422({ items }, [
      { path: 'items[1].payload.name', message: 'name must be a non-empty string' },
      { path: 'items[3].payload.rate', message: expect.stringContaining('rate must be a number') },
      { path: 'items[4].payload.email', message: 'email must be an email' },
    ]);
  });

  it("a payload whose id is not the item's sourceEntityId", async () => {
    await expect422({ items: [productItem(0, { sourceEntityId: 'item-9' })] }, [
      { path: 'items[0].payload.item_id', message: 'item_id ("item-0") must equal sourceEntityId ("item-9")' },
    ]);
  });

  it('a payload PostgreSQL cannot store (NUL, unpaired surrogate) → 422, not a 500', async () => {
    for (const text of ['a\u0000b', 'x\ud800y', '\udc00']) {
      const item = productItem(0);
      await expect422({ items: [productItem(0, { payload: { ...item.payload, description: text } })] }, [
        { path: 'items[0].payload', message: expect.stringContaining('NUL characters or unpaired surrogates') },
      ]);
    }
  });

  it('an Idempotency-Key that is empty or too long', async () => {
    for (const key of ['', 'k'.repeat(201)]) {
      await expect422({ items: [productItem(0)] }, [{ path: 'headers.idempotency-key', message: 'Idempotency-Key must be 1-200 characters, without control characters' }], {
        headers: { 'idempotency-key': key },
      });
    }
  });

  it('a body over the bulk limit → 413', async () => {
    const res = await post({ items: [productItem(0, { payload: { ...productItem(0).payload, blob: 'x'.repeat(10.5 * 1024 * 1024) } })] });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
  });

  it('checks the role before the body: a viewer gets 403 even for a bad body', async () => {
    const res = await post({ items: [] }, { key: KEYS.viewer });
    expect(res.statusCode).toBe(403);
    expect((await post({ items: [] }, { key: null })).statusCode).toBe(401);
  });
});
