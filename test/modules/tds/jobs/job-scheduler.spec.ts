import { Logger } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { SchedulerRegistry } from '@nestjs/schedule';
import { JobScheduler } from '../../../../src/modules/tds/jobs/job-scheduler.js';
import type { JobRunsView } from '../../../../src/modules/tds/public.js';
import { ListJobRunsQuery } from '../../../../src/modules/tds/public.js';
import { createTestApp } from '../../../support/create-test-app.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { JOB_NAMES, runJob, sql } from './jobs-test-kit.js';

/** A promise and the function that resolves it: a job that runs until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describePostgres('JobScheduler: claimed ticks, recorded runs, shutdown', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  const quiet = { TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false', TDS_API_KEYS: 'admin:jobs-admin-key-0123456789' };

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...quiet, DATABASE_URL: database.url, TDS_INSTANCE_ID: 'sched-a' });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  const runsOf = (job: string) =>
    sql(testApp.app, `SELECT tick, instance, outcome, detail FROM tds_job_runs WHERE job = $1 ORDER BY tick`, [job]);

  it('records how each run ended; the job-runs query shows every job with its last run, and the recent runs', async () => {
    const scheduler = testApp.app.get(JobScheduler);
    scheduler.register({ name: 'test.ok', intervalSeconds: 3600, run: async () => ({ answer: 42 }) });
    scheduler.register({
      name: 'test.failing',
      intervalSeconds: 3600,
      run: async () => {
        throw new Error('cannot reach postgres://tds:hunter2@db/tds');
      },
    });

    expect(await scheduler.runNow('test.ok')).toMatchObject({ job: 'test.ok', outcome: 'succeeded', detail: { answer: 42 } });
    // A thrown error is the run's outcome, not the caller's: nothing crashes.
    expect(await scheduler.runNow('test.failing')).toMatchObject({ outcome: 'failed' });
    // The tick is claimed: running again within it does nothing.
    expect(await scheduler.runNow('test.ok')).toBeUndefined();
    expect(await runsOf('test.ok')).toHaveLength(1);

    const view: JobRunsView = await testApp.app.get(QueryBus).execute(new ListJobRunsQuery());
    // Every registered job, by name (other modules' jobs among them).
    const names = view.jobs.map((j) => j.job);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([...JOB_NAMES, 'test.failing', 'test.ok']));
    const byName = new Map(view.jobs.map((j) => [j.job, j]));
    for (const name of JOB_NAMES) expect(byName.get(name)?.lastRun).toBeNull();

    const ok = byName.get('test.ok')!;
    expect(ok.intervalSeconds).toBe(3600);
    expect(ok.lastRun).toMatchObject({ instance: 'sched-a', outcome: 'succeeded', detail: { answer: 42 } });
    expect(ok.lastRun!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(ok.lastRun!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(ok.lastRun!.startedAt));
    // The message is kept, without the credentials a URL in it carried.
    expect(byName.get('test.failing')!.lastRun).toMatchObject({
      outcome: 'failed',
      detail: { error: 'cannot reach postgres://tds:***@db/tds' },
    });
    expect(byName.get('test.failing')!.lastRun!.finishedAt).not.toBeNull();

    expect(view.recent.map((r) => [r.job, r.outcome])).toEqual([
      ['test.failing', 'failed'],
      ['test.ok', 'succeeded'],
    ]);
  });

  it('does not start a job again on this instance while its previous run is still going', async () => {
    const scheduler = testApp.app.get(JobScheduler);
    const slow = gate();
    scheduler.register({ name: 'test.slow', intervalSeconds: 1, run: () => slow.opened.then(() => ({ done: true })) });

    const first = scheduler.runNow('test.slow');
    const [{ tick }] = await eventually(async () => {
      const runs = await runsOf('test.slow');
      expect(runs).toMatchObject([{ outcome: 'running' }]);
      return runs;
    });
    // A later tick, free to claim: still skipped here, since the run of the earlier one goes on.
    await eventually(async () => {
      const [{ now }] = await sql(testApp.app, `SELECT floor(extract(epoch FROM clock_timestamp()))::bigint AS now`);
      expect(Number(now)).toBeGreaterThan(Number(tick));
    });
    expect(await scheduler.runNow('test.slow')).toBeUndefined();
    expect(await runsOf('test.slow')).toHaveLength(1);

    slow.open();
    expect(await first).toMatchObject({ outcome: 'succeeded', detail: { done: true } });
    const next = await runJob(testApp.app, 'test.slow');
    expect(next.tick).toBeGreaterThan(Number(tick));
    expect((await runsOf('test.slow')).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
  });

  it('keeps one timer per job in the SchedulerRegistry; shutdown clears them and waits for the run in flight', async () => {
    const app = await createTestApp({ ...quiet, DATABASE_URL: database.url, TDS_JOBS_ENABLED: 'true' });
    const registry = app.app.get(SchedulerRegistry);
    expect(registry.getTimeouts()).toEqual(expect.arrayContaining(JOB_NAMES.map((name) => `tds-job:${name}`)));

    const job = gate();
    app.app.get(JobScheduler).register({ name: 'test.shutdown', intervalSeconds: 3600, run: () => job.opened.then(() => ({ finished: true })) });
    expect(registry.getTimeouts()).toContain('tds-job:test.shutdown');
    const run = app.app.get(JobScheduler).runNow('test.shutdown');
    await eventually(async () => expect(await runsOf('test.shutdown')).toMatchObject([{ outcome: 'running' }]));

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    // Shutdown has reached the scheduler (it clears the timers first, then waits) while the run is still in
    // flight: its row still says running, so the close cannot have finished yet.
    await eventually(async () => expect(registry.getTimeouts()).toEqual([]));
    expect(await runsOf('test.shutdown')).toMatchObject([{ outcome: 'running' }]);
    expect(closed).toBe(false);
    job.open();
    await closing;
    expect(closed).toBe(true);
    expect(await run).toMatchObject({ outcome: 'succeeded' });
    expect(registry.getTimeouts()).toEqual([]);
    expect(await runsOf('test.shutdown')).toMatchObject([{ outcome: 'succeeded', detail: { finished: true } }]);
  });

  it('gives up waiting for a run that does not end after TDS_JOBS_SHUTDOWN_TIMEOUT_MS', async () => {
    const app = await createTestApp({ ...quiet, DATABASE_URL: database.url, TDS_JOBS_SHUTDOWN_TIMEOUT_MS: '100' });
    const never = gate();
    app.app.get(JobScheduler).register({ name: 'test.stuck', intervalSeconds: 3600, run: () => never.opened.then(() => undefined) });
    void app.app.get(JobScheduler).runNow('test.stuck').catch(() => undefined);
    await eventually(async () => expect(await runsOf('test.stuck')).toMatchObject([{ outcome: 'running' }]));
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await app.close();
      // It waited for the configured time, not the default, and said what it left running.
      expect(warn).toHaveBeenCalledWith('shutdown: still running after 100 ms: test.stuck');
    } finally {
      warn.mockRestore();
    }
    expect(await runsOf('test.stuck')).toMatchObject([{ outcome: 'running' }]);
  });
});

describe('JobScheduler on the embedded database (PGlite)', () => {
  it('runs each maintenance job and records its run', async () => {
    const testApp = await createTestApp({ DATABASE_URL: '', TDS_DATA_DIR: 'memory', TDS_API_KEYS: 'admin:jobs-admin-key-0123456789' });
    try {
      for (const name of JOB_NAMES) expect(await runJob(testApp.app, name)).toMatchObject({ job: name, outcome: 'succeeded' });
      const view: JobRunsView = await testApp.app.get(QueryBus).execute(new ListJobRunsQuery());
      const mine = view.jobs.filter((j) => JOB_NAMES.includes(j.job));
      expect(mine.map((j) => [j.job, j.lastRun?.outcome])).toEqual(JOB_NAMES.map((name) => [name, 'succeeded']));
    } finally {
      await testApp.close();
    }
  });
});
