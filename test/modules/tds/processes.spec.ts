import type { DataSource } from 'typeorm';
import {
  duplicateMirrorWrites,
  installMirrorWriteLog,
  installQueueTransitionLog,
  insertQueueItems,
  productPayload,
  rows,
  shuffledDeliveries,
  waitUntilDrained,
  type TestItem,
} from '../../support/queue-fixtures.js';
import { eventually, spawnApp, type AppProcess } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, openTestDataSource, type TestDatabase } from '../../support/test-database.js';

/**
 * Real OS processes of the built app on one PostgreSQL database: crashes by SIGKILL, several
 * instances at once, and SIGTERM.
 */
describePostgres('app processes on one database', () => {
  let database: TestDatabase;
  let db: DataSource;
  let close: () => Promise<void>;
  const running: AppProcess[] = [];

  const start = (extra: Record<string, string> = {}) => {
    const proc = spawnApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: 'admin:test-admin-key-0123456789',
      TDS_WORKER_COUNT: '2',
      TDS_BATCH_SIZE: '200',
      TDS_POLL_INTERVAL_MS: '50',
      ...extra,
    });
    running.push(proc);
    return proc;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    ({ dataSource: db, close } = await openTestDataSource('postgres', database.url));
    await installMirrorWriteLog(db);
    await installQueueTransitionLog(db);
  });
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    await close?.();
    await database?.drop();
  });

  async function expectEveryItemFinishedOnce(total: number) {
    const [{ open }] = await rows<{ open: number }>(db, `SELECT count(*)::int AS open FROM tds_sync_queue WHERE status IN ('pending', 'retry')`);
    expect(open).toBe(0);
    // No item is touched again once it has finished, and every item finished exactly once.
    const again = await rows(db, `SELECT queue_item_id, from_status, to_status FROM test_queue_transitions WHERE from_status NOT IN ('pending', 'retry') LIMIT 5`);
    expect(again).toEqual([]);
    const [{ finished, transitions }] = await rows<{ finished: number; transitions: number }>(
      db,
      `SELECT count(DISTINCT queue_item_id)::int AS finished, count(*)::int AS transitions
       FROM test_queue_transitions WHERE to_status NOT IN ('pending', 'retry')`,
    );
    expect(finished).toBe(total);
    expect(transitions).toBe(total);
    expect(await duplicateMirrorWrites(db)).toEqual([]);
  }

  async function expectMirrorAtNewest(newest: Map<string, number>) {
    const mirror = await rows<{ id: string; version: number }>(db, `SELECT source_entity_id AS id, version FROM tds_entities`);
    expect(mirror.filter((m) => newest.has(m.id) && newest.get(m.id) !== m.version)).toEqual([]);
    expect(mirror.filter((m) => newest.has(m.id))).toHaveLength(newest.size);
  }

  it('a process killed with SIGKILL in the middle of a batch loses nothing; another finishes every item, none applied twice', async () => {
    const { deliveries, newest } = shuffledDeliveries(500, 6, 0.2);
    await insertQueueItems(db, deliveries);
    // `crash` kills the process after the batch holding this item was applied, before its commit.
    const victim = deliveries[Math.floor(deliveries.length / 2)].sourceEntityId;
    const first = start({ TDS_TEST_FAULTS: `crash:${victim}` });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const [{ open }] = await rows<{ open: number }>(db, `SELECT count(*)::int AS open FROM tds_sync_queue WHERE status = 'pending'`);
    expect(open).toBeGreaterThan(0);
    const [{ dead }] = await rows<{ dead: number }>(db, `SELECT count(*)::int AS dead FROM tds_batch_claims`);
    expect(dead).toBeGreaterThan(0);

    start();
    await waitUntilDrained(db);
    await expectEveryItemFinishedOnce(deliveries.length);
    await expectMirrorAtNewest(newest);
    const [{ poisoned }] = await rows<{ poisoned: number }>(db, `SELECT count(*)::int AS poisoned FROM tds_dead_letters`);
    expect(poisoned).toBe(0);
  });

  it('an item that kills its worker every time ends in the dead letters as POISON after a bounded number of crashes', async () => {
    const items: TestItem[] = Array.from({ length: 300 }, (_, i) => ({
      entityType: 'product', sourceEntityId: `p${i}`, operation: 'update', version: 1, payload: productPayload(`p${i}`, 1),
    }));
    await insertQueueItems(db, items);
    let crashes = 0;
    for (;;) {
      const proc = start({ TDS_TEST_FAULTS: 'crash:p150', TDS_MAX_CRASHES: '3' });
      const outcome = await Promise.race([
        proc.exited.then(() => 'crashed' as const),
        waitUntilDrained(db, 60_000).then(() => 'drained' as const),
      ]);
      if (outcome === 'drained') break;
      crashes++;
      expect(crashes).toBeLessThanOrEqual(3);
    }
    expect(crashes).toBe(3);
    const [poison] = await rows<Record<string, any>>(db, `SELECT * FROM tds_sync_queue WHERE source_entity_id = 'p150'`);
    expect(poison).toMatchObject({ status: 'dead_letter', error_code: 'POISON' });
    const [dead] = await rows<Record<string, any>>(db, `SELECT * FROM tds_dead_letters WHERE source_entity_id = 'p150'`);
    expect(dead).toMatchObject({ error_code: 'POISON' });
    const [{ completed }] = await rows<{ completed: number }>(db, `SELECT count(*)::int AS completed FROM tds_sync_queue WHERE status = 'completed'`);
    expect(completed).toBe(299);
    await expectEveryItemFinishedOnce(300);
  });

  it('two processes process 20,000 items with no item claimed by both', async () => {
    start({ TDS_INSTANCE_ID: 'instance-a' });
    start({ TDS_INSTANCE_ID: 'instance-b' });
    // Both instances are up when their named connections are.
    await eventually(async () => {
      const apps = await rows<{ app: string }>(db, `SELECT DISTINCT application_name AS app FROM pg_stat_activity WHERE datname = current_database()`);
      expect(apps.map((r) => r.app)).toEqual(expect.arrayContaining(['tds/instance-a', 'tds/instance-b']));
    });
    const items: TestItem[] = Array.from({ length: 20_000 }, (_, i) => {
      const id = `p${i % 5_000}`;
      const version = Math.floor(i / 5_000) + 1;
      return { entityType: 'product', sourceEntityId: id, operation: 'update', version, payload: productPayload(id, version) };
    });
    for (let i = 0; i < items.length; i += 1_000) await insertQueueItems(db, items.slice(i, i + 1_000));
    await waitUntilDrained(db);
    await expectEveryItemFinishedOnce(items.length);
    const byApp = await rows<{ app: string; n: number }>(db, `SELECT app, count(*)::int AS n FROM test_queue_transitions GROUP BY app`);
    expect(byApp.map((r) => r.app).sort()).toEqual(['tds/instance-a', 'tds/instance-b']);
    for (const { n } of byApp) expect(n).toBeGreaterThan(0);
  });

  it('SIGTERM: stops claiming, finishes the batch in flight and exits 0', async () => {
    const items: TestItem[] = Array.from({ length: 20_000 }, (_, i) => ({
      entityType: 'product', sourceEntityId: `p${i}`, operation: 'update', version: 1, payload: productPayload(`p${i}`, 1),
    }));
    for (let i = 0; i < items.length; i += 1_000) await insertQueueItems(db, items.slice(i, i + 1_000));
    const proc = start({ TDS_BATCH_SIZE: '100', TDS_SHUTDOWN_TIMEOUT_MS: '10000' });
    await eventually(async () => {
      const [{ done }] = await rows<{ done: number }>(db, `SELECT count(*)::int AS done FROM tds_sync_queue WHERE status = 'completed'`);
      expect(done).toBeGreaterThan(0);
    });
    proc.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const [{ completed }] = await rows<{ completed: number }>(db, `SELECT count(*)::int AS completed FROM tds_sync_queue WHERE status = 'completed'`);
    expect(completed).toBeLessThan(items.length);
    // What was in flight committed; nothing was left half-done.
    const [{ claims }] = await rows<{ claims: number }>(db, `SELECT count(*)::int AS claims FROM tds_batch_claims`);
    expect(claims).toBe(0);
    start();
    await waitUntilDrained(db);
    await expectEveryItemFinishedOnce(items.length);
  });
});
