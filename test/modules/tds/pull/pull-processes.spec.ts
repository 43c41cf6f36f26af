import type { DataSource } from 'typeorm';
import { ZohoSimulator } from '../../../../tools/zoho-simulator/zoho-simulator.js';
import { rows, waitUntilDrained } from '../../../support/queue-fixtures.js';
import { eventually, freePort, spawnApp } from '../../../support/spawn-app.js';
import type { AppProcess } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres, openTestDataSource } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { KEYS, pullEnv, ZOHO } from './pull-test-kit.js';

interface RunRow {
  id: number;
  status: string;
  lockedBy: string | null;
  leaseToken: number;
  pages: number;
}

/**
 * Real processes of the built app on one database, pulling from one simulator: the lease and
 * its fencing token against a holder that is paused past its lease, and the rate limit shared
 * by two processes through a 429 storm.
 */
describePostgres('pull runs across app processes', () => {
  let database: TestDatabase;
  let db: DataSource;
  let close: () => Promise<void>;
  let sim: ZohoSimulator;
  const running: AppProcess[] = [];

  /** Starts an instance and resolves with its port once it answers. */
  const spawn = async (instance: string, env: Record<string, string>) => {
    const port = await freePort();
    const proc = spawnApp({ ...pullEnv(sim, env), DATABASE_URL: database.url, TDS_INSTANCE_ID: instance, LOG_LEVEL: 'info', PORT: String(port) });
    running.push(proc);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
      if (res?.status !== 200) throw new Error(`${instance} not up yet:\n${proc.output().slice(-2000)}`);
    }, 60_000, 100);
    return { proc, port };
  };
  const post = async (port: number, path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const run = async (id: number) =>
    (
      await rows<RunRow>(
        db,
        `SELECT id, status, locked_by AS "lockedBy", lease_token::int AS "leaseToken", coalesce((progress->>'pages')::int, 0) AS pages
         FROM tds_sync_runs WHERE id = $1`,
        [id],
      )
    )[0];
  const inboxRowsOfLease = async (runId: number, token: number) =>
    (
      await rows<{ n: number }>(
        db,
        `SELECT count(*)::int AS n FROM tds_inbox_events WHERE headers->>'x-tds-sync-run' = $1 AND headers->>'x-tds-lease-token' = $2`,
        [String(runId), String(token)],
      )
    )[0].n;
  const mirrored = async (entityType: string) =>
    (await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_entities WHERE entity_type = $1`, [entityType]))[0].n;

  beforeEach(async () => {
    database = await createTestDatabase();
    ({ dataSource: db, close } = await openTestDataSource('postgres', database.url));
  });
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await proc.exited;
    }
    await sim?.stop();
    await close?.();
    await database?.drop();
  });

  it('hands a run whose holder was paused past its lease to another instance; the old holder, resumed, writes nothing', async () => {
    sim = await ZohoSimulator.start({ ...ZOHO });
    sim.seed({ products: 3000, warehouses: 1, customers: 0, invoices: 0, salesOrders: 0, priceBooks: 0, seed: 3 });
    // 4 requests a second: 15 pages take ~4 s, long enough to pause the holder half way.
    const slow = { TDS_ZOHO_MAIN_RATE_PER_MINUTE: '240', TDS_ZOHO_MAIN_RATE_BURST: '1', TDS_PULL_LEASE_MS: '1500', TDS_PULL_CONCURRENCY: '1' };
    const { proc: holder, port } = await spawn('pull-a', slow);
    const started = await post(port, '/api/tds/sync-runs', { source: 'zoho', entityType: 'product', mode: 'full' });
    expect(started.status).toBe(202);
    const runId = Number(started.body.id);
    await eventually(async () => expect(await run(runId)).toMatchObject({ lockedBy: 'pull-a', leaseToken: 1, pages: expect.any(Number) }), 30_000);
    await eventually(async () => expect((await run(runId)).pages).toBeGreaterThanOrEqual(2), 30_000, 50);

    holder.kill('SIGSTOP');
    await spawn('pull-b', slow);
    const takenOver = await eventually(async () => {
      const now = await run(runId);
      expect(now).toMatchObject({ lockedBy: 'pull-b', leaseToken: 2 });
      return now;
    }, 60_000, 50);
    expect(takenOver.status).toBe('running');
    const writtenByA = await inboxRowsOfLease(runId, 1);
    expect(writtenByA).toBeGreaterThan(0);

    holder.kill('SIGCONT');
    await eventually(() => expect(holder.output()).toMatch(new RegExp(`run ${runId}: lease 1 lost`)), 30_000);
    await eventually(async () => expect((await run(runId)).status).toBe('completed'), 60_000, 200);
    await waitUntilDrained(db);
    // Nothing written under the old token after the take-over; the new holder resumed from its progress and finished.
    expect(await inboxRowsOfLease(runId, 1)).toBe(writtenByA);
    expect(await inboxRowsOfLease(runId, 2)).toBeGreaterThan(0);
    expect(await mirrored('product')).toBe(3000);
  }, 180_000);

  it('keeps two processes together within the organisation rate limit through a 429 storm, and finishes', async () => {
    // The simulator refuses more than 10 requests in any second; TDS allows 8 a second and a burst of 2, across the cluster.
    sim = await ZohoSimulator.start({ ...ZOHO, rateLimit: { requests: 10, windowMs: 1000 } });
    sim.seed({ products: 2000, warehouses: 1, customers: 2000, invoices: 0, salesOrders: 0, priceBooks: 0, seed: 5 });
    const limited = { TDS_ZOHO_MAIN_RATE_PER_MINUTE: '480', TDS_ZOHO_MAIN_RATE_BURST: '2', TDS_PULL_CONCURRENCY: '1' };
    const [{ port: portA }] = await Promise.all([spawn('rate-a', limited), spawn('rate-b', limited)]);
    const runs = await Promise.all(
      ['product', 'customer'].map((entityType) => post(portA, '/api/tds/sync-runs', { source: 'zoho', entityType, mode: 'full' })),
    );
    expect(runs.map((r) => r.status)).toEqual([202, 202]);
    await eventually(() => expect(sim.requests.filter((r) => r.path.includes('/inventory/v1/')).length).toBeGreaterThan(4), 30_000, 50);
    const stormFrom = Date.now();
    sim.rateLimitStorm(2000, 1);
    const stormTo = Date.now() + 2000;
    for (const { body } of runs) await eventually(async () => expect((await run(Number(body.id))).status).toBe('completed'), 120_000, 200);
    await waitUntilDrained(db);
    expect(await mirrored('product')).toBe(2000);
    expect(await mirrored('customer')).toBe(2000);

    // Both processes pulled (each held one run), and together they kept within the limit: at most 10 in any second.
    const writers = await rows<{ instance: string }>(db, `SELECT DISTINCT headers->>'x-tds-instance' AS instance FROM tds_inbox_events`);
    expect(writers.map((w) => w.instance).sort()).toEqual(['rate-a', 'rate-b']);
    const api = sim.requests.filter((r) => r.path.includes('/inventory/v1/'));
    const times = api.map((r) => r.at).sort((x, y) => x - y);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(10);
    // The storm's 429s were waited out (Retry-After), and outside it the simulator's own limit never refused one.
    const outsideStorm = api.filter((r) => r.status === 429 && (r.at < stormFrom || r.at > stormTo + 100));
    expect(outsideStorm).toEqual([]);
    expect(api.some((r) => r.status === 429)).toBe(true);
  }, 180_000);
});
