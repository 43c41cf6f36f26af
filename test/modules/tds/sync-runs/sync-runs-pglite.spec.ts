import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ReplayDeadLettersCommand } from '../../../../src/modules/tds/public.js';
import type { ReplayDeadLettersResult } from '../../../../src/modules/tds/public.js';
import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { cancelRun, drain, enqueue, failPermanently, getRun, newProducts, runBatch, SYNC_RUN_ENV } from './sync-run-test-kit.js';

/**
 * The embedded database (PGlite, one session) is the default deployment: cancel and bulk replay
 * run their statements inside a transaction, where any statement not on the transaction's own
 * runner would wait for the one connection forever.
 */
describe('sync runs on the embedded PGlite', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...SYNC_RUN_ENV, DATABASE_URL: '', TDS_DATA_DIR: 'memory' });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('counts, cancels and replays', async () => {
    const { app } = testApp;
    const items = newProducts(3);
    failPermanently(app, [items[0]]);
    const bulk = await enqueue(app, items);
    await drain(app);
    app.get(TestFaults).set('');
    expect(await getRun(app, bulk.syncRunId)).toMatchObject({ status: 'partial', succeeded: 2, failed: 1, progress: 1 });

    const cancelled = await enqueue(app, newProducts(600));
    expect(await runBatch(app)).toBe(250);
    expect((await cancelRun(app, cancelled.syncRunId)).json()).toMatchObject({ status: 'cancelled', processed: 600, skipped: 350 });

    const [dead] = await rows<{ id: number }>(app.get(DataSource), `SELECT id FROM tds_dead_letters WHERE sync_run_id = $1`, [bulk.syncRunId]);
    const replay = await app
      .get(CommandBus)
      .execute<ReplayDeadLettersCommand, ReplayDeadLettersResult>(new ReplayDeadLettersCommand([dead.id], 'operator:abc'));
    expect(replay.replayed).toHaveLength(1);
    expect(await drain(app)).toEqual([1]);
    expect(await getRun(app, replay.syncRunId!)).toMatchObject({ kind: 'replay', status: 'completed', succeeded: 1 });
  });
});
