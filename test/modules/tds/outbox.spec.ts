import { EventBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TdsEntitiesSyncedEvent, TdsEntitySyncedEvent, TdsQueueEmptyEvent } from '../../../src/modules/tds/public.js';
import type { DomainEvent } from '../../../src/shared/events/domain-event.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { insertQueueItems, productPayload, rows, waitUntilDrained, type TestItem } from '../../support/queue-fixtures.js';
import { eventually } from '../../support/spawn-app.js';
import { createTestDatabase, describeEachBackend, describePostgres, type TestDatabase } from '../../support/test-database.js';

const RELAY_FAST = { TDS_OUTBOX_POLL_INTERVAL_MS: '50', TDS_POLL_INTERVAL_MS: '50', TDS_API_KEYS: 'admin:outbox-admin-key-0123456789' };

/** The events published for outbox rows (the relay's batch events, composed from them, are left out). */
function collect(app: TestApp): DomainEvent[] {
  const seen: DomainEvent[] = [];
  app.app.get(EventBus).subscribe((event) => {
    if (!(event instanceof TdsEntitiesSyncedEvent)) seen.push(event as DomainEvent);
  });
  return seen;
}

async function undispatched(db: DataSource): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`);
  return n;
}

describeEachBackend('outbox relay', (backend) => {
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...RELAY_FAST, TDS_WORKER_COUNT: '2' });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  it('publishes every applied change exactly once, as an event class instance with its meta', async () => {
    const seen = collect(testApp);
    const batches: TdsEntitiesSyncedEvent[] = [];
    testApp.app.get(EventBus).subscribe((event) => {
      if (event instanceof TdsEntitiesSyncedEvent) batches.push(event);
    });
    const items: TestItem[] = Array.from({ length: 2_000 }, (_, i) => ({
      entityType: 'product', sourceEntityId: `p${i % 700}`, operation: 'update', version: i, payload: productPayload(`p${i % 700}`, i),
    }));
    await insertQueueItems(db, items);
    await waitUntilDrained(db);
    await eventually(async () => expect(await undispatched(db)).toBe(0), 30_000);

    const outbox = await rows<{ event_id: string; event_type: string }>(db, `SELECT event_id, event_type FROM tds_outbox WHERE event_type LIKE 'tds.entity.%'`);
    const synced = seen.filter((e): e is TdsEntitySyncedEvent => e instanceof TdsEntitySyncedEvent);
    expect(synced).toHaveLength(outbox.length);
    expect(new Set(synced.map((e) => e.eventId)).size).toBe(outbox.length);
    expect(new Set(synced.map((e) => e.eventId))).toEqual(new Set(outbox.map((o) => o.event_id)));

    // The same changes once more, in batch events: each entity event in exactly one of them, with its data.
    const batched = batches.flatMap((batch) => batch.changes);
    expect(batched.map((c) => c.eventId).sort()).toEqual(synced.map((e) => e.eventId).sort());
    const byId = new Map(synced.map((e) => [e.eventId, e]));
    for (const change of batched.slice(0, 50)) {
      const event = byId.get(change.eventId)!;
      expect(change).toEqual({
        eventId: event.eventId, eventType: event.eventType, occurredAt: event.occurredAt, source: event.source, entityType: event.entityType,
        sourceEntityId: event.sourceEntityId, operation: event.operation, version: event.version, queueItemId: event.queueItemId,
        changes: event.changes, data: event.data,
      });
    }
    // The workers reported the drained queue.
    const empty = await eventually(() => {
      const found = seen.filter((e): e is TdsQueueEmptyEvent => e instanceof TdsQueueEmptyEvent);
      expect(found.length).toBeGreaterThanOrEqual(1);
      return found;
    });
    expect(empty[0]).toMatchObject({ workerId: expect.stringContaining('/worker/'), lastProcessedAt: expect.any(String) });

    const creates = synced.filter((e) => e.eventType === 'tds.entity.create');
    expect(new Set(creates.map((e) => e.sourceEntityId)).size).toBe(700);
    expect(creates).toHaveLength(700);
    const sample = synced.find((e) => e.eventType === 'tds.entity.update')!;
    expect(sample).toMatchObject({ entityType: 'product', operation: 'update', source: 'zoho' });
    expect(sample.causationId).toBe(`queue-item:${sample.queueItemId}`);
    expect(Date.parse(sample.occurredAt)).not.toBeNaN();
    // The diff names the fields that moved, from the stored value to the new one, and no other.
    expect(sample.changes.name.to).toBe(sample.data.name);
    expect(sample.changes.name.from).not.toBe(sample.data.name);
    expect(sample.changes).not.toHaveProperty('item_id');
    expect(sample.changes).not.toHaveProperty('sku');
    for (const change of Object.values(sample.changes)) expect(change.from).not.toEqual(change.to);
    // A create's diff is every field, from nothing (rebuilt from its data: the outbox row does not hold the record twice).
    const created = creates[0];
    expect(created.data).toEqual(productPayload(created.sourceEntityId, created.version));
    expect(Object.keys(created.changes).sort()).toEqual(Object.keys(created.data).sort());
    for (const [field, change] of Object.entries(created.changes)) expect(change).toEqual({ from: null, to: created.data[field] });
  });
});

describePostgres('outbox relay on PostgreSQL', () => {
  let database: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.drop();
  });

  const insertEvent = (client: Client, id: string) =>
    client.query(
      `INSERT INTO tds_outbox (event_type, payload) VALUES ('tds.entity.update', $1) RETURNING id`,
      [{ source: 'zoho', entityType: 'product', sourceEntityId: id, operation: 'update', version: 1, queueItemId: 0, changes: {}, data: {} }],
    );

  it('publishes a row whose transaction commits after a later id was already relayed', async () => {
    const app = await createTestApp({ DATABASE_URL: database.url, ...RELAY_FAST, TDS_WORKERS_ENABLED: 'false' });
    const seen = collect(app);
    const slow = new Client({ connectionString: database.url });
    const fast = new Client({ connectionString: database.url });
    await Promise.all([slow.connect(), fast.connect()]);
    try {
      await slow.query('BEGIN');
      const early = (await insertEvent(slow, 'early-id-late-commit')).rows[0].id;
      const late = (await insertEvent(fast, 'late-id-early-commit')).rows[0].id;
      expect(Number(late)).toBeGreaterThan(Number(early));
      await fast.query(`SELECT pg_notify('tds_outbox', '')`);
      await eventually(() => expect(seen.map((e) => (e as TdsEntitySyncedEvent).sourceEntityId)).toContain('late-id-early-commit'));
      await slow.query('COMMIT');
      await eventually(() => expect(seen.map((e) => (e as TdsEntitySyncedEvent).sourceEntityId)).toContain('early-id-late-commit'));
      expect(seen).toHaveLength(2);
    } finally {
      await Promise.all([slow.end(), fast.end()]);
      await app.close();
    }
  });

  it('two instances relay each row once between them', async () => {
    const env = { DATABASE_URL: database.url, ...RELAY_FAST, TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_BATCH_SIZE: '50' };
    const [a, b] = [await createTestApp(env), await createTestApp(env)];
    apps.push(a, b);
    const seen = [...[a, b].map(collect)];
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO tds_outbox (event_type, payload)
         SELECT 'tds.entity.update',
                jsonb_build_object('source', 'zoho', 'sourceEntityId', 'bulk-' || n, 'entityType', 'product', 'operation', 'update',
                                   'version', 1, 'queueItemId', n, 'changes', '{}'::jsonb,
                                   'data', jsonb_build_object('item_id', 'bulk-' || n, 'name', 'Bulk ' || n, 'sku', 'B' || n, 'rate', 1, 'status', 'active'))
         FROM generate_series(1, 3000) n`,
      );
      await client.query(`SELECT pg_notify('tds_outbox', '')`);
      const db = a.app.get(DataSource);
      await eventually(async () => expect(await undispatched(db)).toBe(0), 30_000);
      const ids = [...seen[0], ...seen[1]].map((e) => e.eventId);
      const [{ bulk }] = await rows<{ bulk: number }>(db, `SELECT count(*)::int AS bulk FROM tds_outbox WHERE payload->>'sourceEntityId' LIKE 'bulk-%'`);
      const bulkSeen = [...seen[0], ...seen[1]].filter((e) => (e as TdsEntitySyncedEvent).sourceEntityId?.startsWith('bulk-'));
      expect(bulkSeen).toHaveLength(bulk);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await client.end();
    }
  });
});
