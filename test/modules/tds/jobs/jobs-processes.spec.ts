import type { DataSource } from 'typeorm';
import { rows } from '../../../support/queue-fixtures.js';
import { eventually, spawnApp } from '../../../support/spawn-app.js';
import type { AppProcess } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres, openTestDataSource } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { EVERY_SECOND, JOB_NAMES } from './jobs-test-kit.js';

const INSTANCES = ['jobs-a', 'jobs-b', 'jobs-c'];
/** Ticks checked once all three instances are up. */
const TICKS = 7;

/**
 * Three real processes of the built app on one database, every job ticking each second:
 * each tick of each job runs exactly once in the cluster, none is skipped, and the runs are
 * shared between the instances.
 */
describePostgres('scheduled jobs across three app processes', () => {
  let database: TestDatabase;
  let db: DataSource;
  let close: () => Promise<void>;
  const running: AppProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // Migrated here once, so the processes start on the same schema.
    ({ dataSource: db, close } = await openTestDataSource('postgres', database.url));
  });
  afterAll(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
    await close?.();
    await database?.drop();
  });

  it('runs each tick of each job once in the cluster, with no tick skipped, on more than one instance', async () => {
    for (const instance of INSTANCES) {
      running.push(
        spawnApp({
          ...EVERY_SECOND,
          DATABASE_URL: database.url,
          TDS_API_KEYS: 'admin:jobs-admin-key-0123456789',
          TDS_INSTANCE_ID: instance,
          TDS_JOBS_ENABLED: 'true',
          TDS_POLL_INTERVAL_MS: '200',
        }),
      );
    }
    await eventually(async () => {
      const apps = await rows<{ app: string }>(db, `SELECT DISTINCT application_name AS app FROM pg_stat_activity WHERE datname = current_database()`);
      expect(apps.map((r) => r.app)).toEqual(expect.arrayContaining(INSTANCES.map((i) => `tds/${i}`)));
    });
    // A connected instance may not have armed its timers yet; one that has run a job has, and
    // keeps firing every tick from then on. The ticks after every job's first run are checked.
    const first = await eventually(async () => {
      const [{ started, tick }] = await rows<{ started: number; tick: number | null }>(
        db,
        `SELECT count(DISTINCT job)::int AS started, max(first_tick) AS tick
         FROM (SELECT job, min(tick) AS first_tick FROM tds_job_runs WHERE job = ANY($1::text[]) GROUP BY job) f`,
        [JOB_NAMES],
      );
      expect(started).toBe(JOB_NAMES.length);
      return Number(tick) + 1;
    }, 60_000, 250);
    const last = first + TICKS - 1;
    await eventually(async () => {
      const [{ done }] = await rows<{ done: number }>(
        db,
        `SELECT count(*)::int AS done FROM unnest($1::text[]) AS j(name)
         WHERE EXISTS (SELECT 1 FROM tds_job_runs r WHERE r.job = j.name AND r.tick > $2)`,
        [JOB_NAMES, last],
      );
      expect(done).toBe(JOB_NAMES.length);
    }, 60_000, 250);

    // SIGTERM: timers stop, runs in flight finish and are recorded, the processes exit cleanly.
    for (const proc of running) proc.kill('SIGTERM');
    for (const proc of running.splice(0)) expect(await proc.exited).toEqual({ code: 0, signal: null });

    const runs = await rows<{ job: string; tick: string; instance: string; outcome: string }>(
      db,
      `SELECT job, tick, instance, outcome FROM tds_job_runs WHERE job = ANY($1::text[]) AND tick BETWEEN $2 AND $3 ORDER BY job, tick`,
      [JOB_NAMES, first, last],
    );
    for (const job of JOB_NAMES) {
      const ticks = runs.filter((r) => r.job === job).map((r) => Number(r.tick));
      // One row per tick (the primary key), and a row for every tick: none was skipped.
      expect(ticks).toEqual(Array.from({ length: TICKS }, (_, i) => first + i));
    }
    expect(runs.filter((r) => r.outcome !== 'succeeded')).toEqual([]);
    const instances = new Set(runs.map((r) => r.instance));
    expect(instances.size).toBeGreaterThan(1);
    for (const instance of instances) expect(INSTANCES).toContain(instance);
  });
});
