import type { DataSource } from 'typeorm';
import { downstreamDifferences, duplicateDownstreamWrites, installDownstreamWriteLog } from '../../support/downstream-checker.js';
import { insertQueueItems, rows, shuffledDeliveries, waitUntilDrained } from '../../support/queue-fixtures.js';
import { eventually, spawnApp, type AppProcess } from '../../support/spawn-app.js';
import { createTestDatabase, describePostgres, openTestDataSource, type TestDatabase } from '../../support/test-database.js';

const REACTIONS = ['inventory.catalogue', 'search.documents'];

/**
 * Real OS processes killed around the relay: every reaction still happens, and exactly once
 * in effect (no inventory or search row written twice for one change).
 */
describePostgres('downstream reactions across crashes', () => {
  let database: TestDatabase;
  let db: DataSource;
  let close: () => Promise<void>;
  const running: AppProcess[] = [];

  const start = (extra: Record<string, string> = {}) => {
    const proc = spawnApp({
      DATABASE_URL: database.url,
      TDS_API_KEYS: 'admin:test-admin-key-0123456789',
      TDS_BATCH_SIZE: '200',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_BATCH_SIZE: '100',
      TDS_REACTION_REDELIVER_AFTER_MS: '1000',
      TDS_REACTION_SWEEP_INTERVAL_MS: '200',
      ...extra,
    });
    running.push(proc);
    return proc;
  };

  const undispatched = async () => (await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`))[0].n;
  /** Entity events some reaction has no receipt for. */
  const unreceipted = async () =>
    (
      await rows<{ n: number }>(
        db,
        `SELECT count(*)::int AS n FROM tds_outbox o, unnest($1::text[]) AS r (reaction)
         WHERE o.event_type LIKE 'tds.entity.%' AND o.event_type <> 'tds.entity.sync_failed'
           AND NOT EXISTS (SELECT 1 FROM tds_reaction_receipts x WHERE x.reaction = r.reaction AND x.event_id = o.event_id)`,
        [REACTIONS],
      )
    )[0].n;

  async function expectEveryReactionOnce() {
    await eventually(async () => {
      expect(await undispatched()).toBe(0);
      expect(await unreceipted()).toBe(0);
      expect(await downstreamDifferences(db)).toEqual([]);
    }, 60_000);
    expect(await duplicateDownstreamWrites(db)).toEqual([]);
  }

  beforeEach(async () => {
    database = await createTestDatabase();
    ({ dataSource: db, close } = await openTestDataSource('postgres', database.url));
    await installDownstreamWriteLog(db);
  });
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    await close?.();
    await database?.drop();
  });

  it('killed between the commit of the changes and their dispatch: the next process delivers every event, each once in effect', async () => {
    const { deliveries } = shuffledDeliveries(300, 4, 0.2);
    const first = start({ TDS_OUTBOX_RELAY_ENABLED: 'false' });
    await insertQueueItems(db, deliveries);
    await waitUntilDrained(db);
    expect(await undispatched()).toBeGreaterThan(0);
    first.kill('SIGKILL');
    await first.exited;

    start();
    await expectEveryReactionOnce();
  });

  it('killed after publishing a batch, before its reactions finished: the sweep delivers it again, each once in effect', async () => {
    const { deliveries } = shuffledDeliveries(300, 4, 0.2);
    const victim = deliveries[Math.floor(deliveries.length / 3)].sourceEntityId;
    await insertQueueItems(db, deliveries);
    // `relay-crash` kills the process right after the relay committed the batch holding the victim's event.
    const first = start({ TDS_TEST_FAULTS: `relay-crash:${victim}` });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The batch was dispatched, and reactions to it were lost with the process.
    const [{ lost }] = await rows<{ lost: number }>(
      db,
      `SELECT count(*)::int AS lost FROM tds_outbox o
       WHERE o.dispatched_at IS NOT NULL AND o.event_type LIKE 'tds.entity.%'
         AND NOT EXISTS (SELECT 1 FROM tds_reaction_receipts x WHERE x.event_id = o.event_id)`,
    );
    expect(lost).toBeGreaterThan(0);

    start();
    await waitUntilDrained(db);
    await expectEveryReactionOnce();
  });
});
