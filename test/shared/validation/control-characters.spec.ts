import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, validateSync } from 'class-validator';
import { DataSource } from 'typeorm';
import { hasControlCharacters, NoControlCharacters } from '../../../src/shared/validation/control-characters.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { rows } from '../../support/queue-fixtures.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { countRows, KEYS, postQueue, productItem } from '../../modules/tds/enqueue/enqueue-test-kit.js';
import { zohoContact, zohoItem } from '../../modules/tds/fixtures/zoho-payloads.js';
import { enqueue, failPermanently, runBatch } from '../../modules/tds/sync-runs/sync-run-test-kit.js';
import { deliver, webhookEnv } from '../../modules/tds/webhooks/webhook-test-kit.js';

const codePoints = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
const C0 = codePoints(0x00, 0x1f);
const C1 = [...codePoints(0x7f, 0x9f)];
const LAYOUT = ['\t', '\n', '\r'];

describe('hasControlCharacters', () => {
  it('finds every C0 and C1 control character, wherever it stands, in ids and filters', () => {
    for (const c of [...C0, ...C1]) {
      for (const text of [c, `a${c}`, `${c}a`, `a${c}b`]) expect(hasControlCharacters(text)).toBe(true);
    }
  });

  it('lets free text keep tab, line feed and carriage return, and nothing else of them', () => {
    for (const c of LAYOUT) expect(hasControlCharacters(`line${c}line`, 'free-text')).toBe(false);
    for (const c of [...C0, ...C1].filter((c) => !LAYOUT.includes(c))) expect(hasControlCharacters(`a${c}b`, 'free-text')).toBe(true);
  });

  it('finds unpaired surrogates but not pairs', () => {
    for (const text of ['x\ud800y', '\udc00', 'a\ud83d']) {
      expect(hasControlCharacters(text)).toBe(true);
      expect(hasControlCharacters(text, 'free-text')).toBe(true);
    }
    expect(hasControlCharacters('📦 box')).toBe(false);
  });

  it('passes printable text of any script, the characters around the C1 range included', () => {
    for (const text of ['LAP-WH-15', '4815000000044208', 'Ünïcödé ☃ 日本 عربي', ' ~', '\u00a0\u00ff', '\u2028']) {
      expect(hasControlCharacters(text)).toBe(false);
    }
  });
});

describe('@NoControlCharacters', () => {
  class Probe {
    @IsString() @NoControlCharacters() id!: unknown;
    @IsString() @NoControlCharacters('free-text') note!: unknown;
  }
  const errorsOf = (values: Partial<Probe>) =>
    validateSync(Object.assign(new Probe(), { id: 'ok', note: 'ok', ...values })).map((e) => [e.property, Object.values(e.constraints ?? {})]);

  it('refuses an id with a control character and a note with one other than tab and line breaks', () => {
    expect(errorsOf({ id: 'a\u0007b', note: 'one\n\ttwo\r\n' })).toEqual([['id', ['id must not contain control characters or unpaired surrogates']]]);
    expect(errorsOf({ id: 'a\tb' })).toEqual([['id', ['id must not contain control characters or unpaired surrogates']]]);
    expect(errorsOf({ note: 'a\u0000b' })).toEqual([
      ['note', ['note must not contain control characters other than tab, line feed and carriage return, or unpaired surrogates']],
    ]);
  });

  it('leaves a value that is not a string to @IsString: one error, not two', () => {
    expect(errorsOf({ id: 17 })).toEqual([['id', ['id must be a string']]]);
  });
});

/** What a client can put in a filter, an id or a key: NUL, a bell, a tab, a C1 control (CSI). */
const IN_IDS = ['\u0000', '\u0007', '\t', '\u009b'];
/** In a note, tab and line breaks are text; these are not. */
const IN_NOTES = ['\u0000', '\u0007', '\u001b', '\u009b'];
const show = (c: string) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()}`;

const CONTROL_MESSAGE = expect.stringContaining('control characters');

function expectRefused(res: { statusCode: number; json(): any }, path: string) {
  expect(res.statusCode).toBe(422);
  expect(res.json()).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
  expect(res.json().details).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
}

/**
 * Every HTTP input that names or selects something (query filters, path ids, envelope and Zoho
 * ids, the Idempotency-Key header) and every note refuses control characters with a 422 field
 * error: never a 500 from PostgreSQL, never a row stored.
 */
describePostgres('control characters at every HTTP input', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...webhookEnv, DATABASE_URL: database.url, TDS_WORKERS_ENABLED: 'false' });
    app = testApp.app;
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  const request = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${KEYS.admin}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  const FILTERS = [
    { url: '/api/tds/reaction-failures?reaction=', value: (c: string) => `inventory${c}.catalogue`, path: 'reaction' },
    { url: '/api/inventory/products?sku=', value: (c: string) => `LAP${c}WH`, path: 'sku' },
    { url: '/api/inventory/products?q=', value: (c: string) => `laptop${c}dell`, path: 'q' },
    { url: '/api/search?q=', value: (c: string) => `lap${c}top`, path: 'q' },
  ];

  it.each(FILTERS.map((filter) => [filter.url, filter] as const))('%s with a control character → 422', async (_url, filter) => {
    for (const c of IN_IDS) {
      const res = await request('GET', `${filter.url}${encodeURIComponent(filter.value(c))}`);
      expectRefused(res, filter.path);
      expect(res.json().details).toEqual([{ path: filter.path, message: CONTROL_MESSAGE }]);
    }
  });

  // Every row has its body, if only `undefined`: a shorter row would hand the test Jest's `done`.
  const PATH_IDS: ['GET' | 'POST', string, unknown][] = [
    ['GET', '/api/tds/queue/:id', undefined],
    ['GET', '/api/tds/inbox/:id', undefined],
    ['GET', '/api/tds/sync-runs/:id', undefined],
    ['POST', '/api/tds/sync-runs/:id/cancel', undefined],
    ['POST', '/api/tds/dead-letter/:id/replay', undefined],
    ['POST', '/api/tds/dead-letter/:id/resolve', { note: 'n' }],
    ['GET', '/api/inventory/products/:id', undefined],
  ];

  it.each(PATH_IDS)('%s %s with a control character or a space around the id → 422', async (method, route, payload) => {
    for (const c of [...IN_IDS, ' ']) {
      const res = await request(method, route.replace(':id', encodeURIComponent(`1${c}`)), payload);
      expectRefused(res, 'id');
    }
  });

  describe('POST /api/tds/queue', () => {
    it('refuses a control character in sourceEntityId, in a Zoho id of the payload and in the Idempotency-Key, storing nothing', async () => {
      const before = await countRows(app);
      for (const c of IN_IDS) {
        const id = `item${c}1`;
        expectRefused(await postQueue(app, { items: [productItem(1, { sourceEntityId: id, payload: { ...zohoItem, item_id: id } })] }), 'items[0].sourceEntityId');

        const customer = { entityType: 'customer', sourceEntityId: 'c-1', operation: 'update', version: 1, payload: { ...zohoContact, contact_id: 'c-1', currency_id: `cur${c}` } };
        const res = await postQueue(app, { items: [customer] });
        expectRefused(res, 'items[0].payload.currency_id');
        expect(res.json().details).toContainEqual({ path: 'items[0].payload.currency_id', message: CONTROL_MESSAGE });

        const keyed = await postQueue(app, { items: [productItem(2)] }, { headers: { 'idempotency-key': `retry${c}1` } });
        expectRefused(keyed, 'headers.idempotency-key');
      }
      expect(await countRows(app)).toEqual(before);
    });
  });

  describe('POST /api/tds/dead-letter/:id/resolve', () => {
    it('refuses a note with a control character, leaving the dead letter open; tab and line breaks are kept', async () => {
      const item = productItem(90);
      failPermanently(app, [item]);
      await enqueue(app, [item]);
      await runBatch(app);
      const [dead] = await rows<{ id: number }>(db, `SELECT id FROM tds_dead_letters WHERE source_entity_id = $1`, [item.sourceEntityId]);
      const url = `/api/tds/dead-letter/${dead.id}/resolve`;

      for (const c of IN_NOTES) {
        const res = await request('POST', url, { note: `fixed by hand${c} in Zoho` });
        expectRefused(res, 'note');
        expect(res.json().details).toEqual([{ path: 'note', message: CONTROL_MESSAGE }]);
      }
      const [open] = await rows<{ resolved: boolean }>(db, `SELECT resolved_at IS NOT NULL AS resolved FROM tds_dead_letters WHERE id = $1`, [dead.id]);
      expect(open.resolved).toBe(false);

      const note = 'Fixed in Zoho:\n\t- SKU corrected\r\n\t- price set';
      const resolved = await request('POST', url, { note });
      expect(resolved.statusCode).toBe(200);
      const [stored] = await rows<{ note: string }>(db, `SELECT resolution_note AS note FROM tds_dead_letters WHERE id = $1`, [dead.id]);
      expect(stored.note).toBe(note);
    });
  });

  describe('POST /api/tds/webhooks/:source', () => {
    const queued = async () => (await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_sync_queue`))[0].n;
    const lastInbox = async () =>
      (await rows<{ status: string; sourceEntityId: string | null }>(
        db,
        `SELECT status, source_entity_id AS "sourceEntityId" FROM tds_inbox_events ORDER BY id DESC LIMIT 1`,
      ))[0];

    it.each(['\u0001', ...IN_IDS].map((c) => [show(c), c]))('a Zoho item whose item_id holds %s → 422, nothing queued', async (_name, c) => {
      const before = await queued();
      const res = await deliver(app, 'zoho', { item: { ...zohoItem, item_id: `a${c}b` } });
      expectRefused(res, 'item.item_id');
      expect(await queued()).toBe(before);
      expect((await lastInbox()).status).toBe('invalid');
    });

    it.each(IN_IDS.map((c) => [show(c), c]))('a generic envelope whose sourceEntityId holds %s → 422, nothing queued, the id not kept as one', async (_name, c) => {
      const before = await queued();
      const id = `c${c}1`;
      const res = await deliver(app, 'generic', { entityType: 'customer', sourceEntityId: id, operation: 'update', version: 1, payload: { ...zohoContact, contact_id: id } });
      expectRefused(res, 'sourceEntityId');
      expect(await queued()).toBe(before);
      expect(await lastInbox()).toEqual({ status: 'invalid', sourceEntityId: null });
    });
  });
});
