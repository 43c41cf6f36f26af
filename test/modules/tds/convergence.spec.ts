import { DataSource } from 'typeorm';
import { QueueWorkerService } from '../../../src/modules/tds/workers/queue-worker.service.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import {
  duplicateMirrorWrites,
  installMirrorWriteLog,
  insertQueueItems,
  productPayload,
  randomChunks,
  rows,
  shuffledDeliveries,
  waitUntilDrained,
} from '../../support/queue-fixtures.js';
import { describeEachBackend } from '../../support/test-database.js';

describeEachBackend('convergence of the mirror', (backend) => {
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_WORKER_COUNT: '3',
      TDS_BATCH_SIZE: '200',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_API_KEYS: 'service:service-key-0123456789abcd',
    });
    db = testApp.app.get(DataSource);
    await installMirrorWriteLog(db);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  it('ends every entity at its newest version however versions are shuffled, duplicated and batched', async () => {
    const { deliveries, newest } = shuffledDeliveries(2_000, 10, 0.2);
    expect(deliveries.length).toBeGreaterThan(22_000);
    // Batches land while the workers are already applying earlier ones.
    for (const chunk of randomChunks(deliveries, 1_000)) await insertQueueItems(db, chunk);
    await waitUntilDrained(db);

    const mirror = await rows<{ id: string; version: number; data: Record<string, unknown>; deleted: boolean }>(
      db,
      `SELECT source_entity_id AS id, version, data, deleted FROM tds_entities WHERE entity_type = 'product'`,
    );
    expect(mirror).toHaveLength(newest.size);
    const wrong = mirror.filter((m) => m.version !== newest.get(m.id) || JSON.stringify(sortKeys(m.data)) !== JSON.stringify(sortKeys(productPayload(m.id, m.version))));
    expect(wrong).toEqual([]);
    expect(await duplicateMirrorWrites(db)).toEqual([]);

    const statuses = await rows<{ status: string; n: number }>(db, `SELECT status, count(*)::int AS n FROM tds_sync_queue GROUP BY status`);
    const byStatus = Object.fromEntries(statuses.map((s) => [s.status, s.n]));
    expect(Object.keys(byStatus).sort()).toEqual(expect.arrayContaining(['completed']));
    expect((byStatus.completed ?? 0) + (byStatus.superseded ?? 0) + (byStatus.unchanged ?? 0)).toBe(deliveries.length);
    // One event per applied change, none for superseded or unchanged items.
    const [{ events }] = await rows<{ events: number }>(db, `SELECT count(*)::int AS events FROM tds_outbox WHERE event_type IN ('tds.entity.create', 'tds.entity.update', 'tds.entity.delete')`);
    expect(events).toBe(byStatus.completed);
    const [{ orphans }] = await rows<{ orphans: number }>(
      db,
      `SELECT count(*)::int AS orphans FROM tds_sync_queue q
       WHERE q.status = 'completed' AND (SELECT count(*) FROM tds_outbox o WHERE o.causation_id = 'queue-item:' || q.id) <> 1`,
    );
    expect(orphans).toBe(0);
  });

  describe('equal versions: the later-enqueued item wins whatever the apply order', () => {
    // Batches are run by hand here, so the test decides what each batch holds.
    const runBatch = () => testApp.app.get(QueueWorkerService).runBatch('test');
    beforeAll(() => testApp.app.get(QueueWorkerService).beforeApplicationShutdown());

    async function enqueueTwins(id: string) {
      const twin = (name: string) => ({ entityType: 'product', sourceEntityId: id, operation: 'update' as const, version: 7, payload: { ...productPayload(id, 7), name } });
      const [earlier] = await insertQueueItems(db, [twin('earlier')]);
      const [later] = await insertQueueItems(db, [twin('later')]);
      return { earlier, later };
    }
    const hold = (id: number) => db.query(`UPDATE tds_sync_queue SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [id]);
    const release = (id: number) => db.query(`UPDATE tds_sync_queue SET next_attempt_at = now() WHERE id = $1`, [id]);
    async function mirrorName(id: string) {
      const [row] = await rows<{ name: string }>(db, `SELECT data->>'name' AS name FROM tds_entities WHERE source_entity_id = $1`, [id]);
      return row?.name;
    }
    async function statuses(...ids: number[]) {
      const found = await rows<{ id: number; status: string }>(db, `SELECT id, status FROM tds_sync_queue WHERE id = ANY($1::bigint[])`, [ids]);
      return ids.map((id) => found.find((r) => Number(r.id) === id)?.status);
    }

    it('earlier applied first, later second: both applied, the later one stays', async () => {
      const { earlier, later } = await enqueueTwins('twin-in-order');
      await hold(later);
      expect(await runBatch()).toBe(1);
      await release(later);
      expect(await runBatch()).toBe(1);
      expect(await mirrorName('twin-in-order')).toBe('later');
      expect(await statuses(earlier, later)).toEqual(['completed', 'completed']);
    });

    it('later applied first: the earlier one is superseded when it comes', async () => {
      const { earlier, later } = await enqueueTwins('twin-reversed');
      await hold(earlier);
      expect(await runBatch()).toBe(1);
      await release(earlier);
      expect(await runBatch()).toBe(1);
      expect(await mirrorName('twin-reversed')).toBe('later');
      expect(await statuses(earlier, later)).toEqual(['superseded', 'completed']);
    });

    it('both in one batch', async () => {
      const { earlier, later } = await enqueueTwins('twin-same-batch');
      expect(await runBatch()).toBe(2);
      expect(await mirrorName('twin-same-batch')).toBe('later');
      expect(await statuses(earlier, later)).toEqual(['superseded', 'completed']);
    });
  });
});

/** jsonb returns keys in its own order; compare by content. */
function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
