import { DataSource } from 'typeorm';
import { DurableReactions } from '../../../src/shared/reactions/durable-reactions.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { downstreamDifferences, downstreamSnapshot } from '../../support/downstream-checker.js';
import { insertQueueItems, randomChunks, rows, shuffle, shuffledDeliveries, waitUntilDrained, type TestItem } from '../../support/queue-fixtures.js';
import { eventually } from '../../support/spawn-app.js';
import { describeEachBackend } from '../../support/test-database.js';

/** A Zoho contact whose content is determined by (id, version). */
const customer = (id: string, version: number): TestItem => ({
  entityType: 'customer',
  sourceEntityId: id,
  operation: 'update',
  version,
  payload: { contact_id: id, contact_name: `Customer ${id} rev ${version}`, company_name: `Company ${id}`, email: `${id}@example.com`, contact_type: 'customer' },
});

async function undispatched(db: DataSource): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`);
  return n;
}

describeEachBackend('downstream convergence: mirror, inventory and search', (backend) => {
  let testApp: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_WORKER_COUNT: '3',
      TDS_BATCH_SIZE: '200',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_API_KEYS: 'service:service-key-0123456789abcd',
    });
    db = testApp.app.get(DataSource);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  const settled = async () => {
    await eventually(async () => expect(await undispatched(db)).toBe(0), 60_000);
    await testApp.app.get(DurableReactions).settled();
  };

  it('ends with 0 differences after shuffled, duplicated versions and deletes, and replaying every event changes nothing', async () => {
    const products = backend.kind === 'postgres' ? 1_000 : 300;
    const { deliveries } = shuffledDeliveries(products, 10, 0.2);
    // Every 7th product is deleted at its newest version; customers for the search side.
    const deletes: TestItem[] = [];
    for (let e = 0; e < products; e += 7) deletes.push({ ...deliveries.find((d) => d.sourceEntityId === `p${e}`)!, operation: 'delete', version: 10 });
    const customers = Array.from({ length: 100 }, (_, i) => [customer(`c${i}`, 1), customer(`c${i}`, 2)]).flat();
    const all = shuffle([...deliveries, ...deletes, ...customers]);
    for (const chunk of randomChunks(all, 1_000)) await insertQueueItems(db, chunk);
    await waitUntilDrained(db);
    await settled();

    await eventually(async () => expect(await downstreamDifferences(db)).toEqual([]), 60_000);
    const [{ inactive }] = await rows<{ inactive: number }>(db, `SELECT count(*)::int AS inactive FROM inventory_products WHERE NOT active`);
    expect(inactive).toBe(deletes.length);
    const [{ searchable }] = await rows<{ searchable: number }>(db, `SELECT count(*)::int AS searchable FROM search_documents WHERE NOT deleted`);
    expect(searchable).toBe(products - deletes.length + 100);

    // Replay: every event delivered again, first with the receipts (nothing to do), then
    // without them (every reaction runs again; the version guards keep the state).
    const before = await downstreamSnapshot(db);
    await db.query(`UPDATE tds_outbox SET dispatched_at = NULL`);
    await settled();
    expect(await downstreamSnapshot(db)).toEqual(before);
    await db.query(`DELETE FROM tds_reaction_receipts`);
    await db.query(`UPDATE tds_outbox SET dispatched_at = NULL`);
    await settled();
    expect(await downstreamSnapshot(db)).toEqual(before);
    expect(await downstreamDifferences(db)).toEqual([]);

    // The checker sees a stale row, a resurrected document and a stray row.
    await db.query(`UPDATE inventory_products SET version = version - 1 WHERE source_id = 'p1'`);
    await db.query(`UPDATE search_documents SET deleted = false WHERE source_id = 'p0'`);
    await db.query(`DELETE FROM search_documents WHERE source_id = 'c1'`);
    expect(await downstreamDifferences(db)).toEqual([
      { target: 'inventory', entityType: 'product', sourceEntityId: 'p1', problem: 'differs' },
      { target: 'search', entityType: 'customer', sourceEntityId: 'c1', problem: 'missing' },
      { target: 'search', entityType: 'product', sourceEntityId: 'p0', problem: 'differs' },
    ]);
  });
});
