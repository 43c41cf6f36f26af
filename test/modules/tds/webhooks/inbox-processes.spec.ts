import { Client } from 'pg';
import { eventually, spawnApp } from '../../../support/spawn-app.js';
import type { AppProcess } from '../../../support/spawn-app.js';
import { TcpProxy } from '../../../support/tcp-proxy.js';
import { createTestDatabase, describePostgres, openTestDataSource } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { SECRETS, SIGNATURE_HEADER, sign, webhookEnv } from './webhook-test-kit.js';

const SHUTDOWN_TIMEOUT_MS = 1000;
/** main.ts's margin past the hooks' own bounds before it exits anyway. */
const FORCED_EXIT_MARGIN_MS = 5000;

const contactId = (prefix: string, n: number) => `${prefix}${String(n).padStart(4, '0')}`;

/** A signed Zoho contact delivery over real HTTP; resolves with its status (0: the connection ended without an answer). */
async function post(port: number, prefix: string, n: number): Promise<number> {
  const body = JSON.stringify({ contact: { ...zohoContact, contact_id: contactId(prefix, n), contact_name: `Customer ${n}` } });
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/tds/webhooks/zoho`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER.zoho]: sign(body, SECRETS.zoho) },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * SIGTERM with the database hung: the built app as its own process exits within the shutdown
 * timeout (plus main.ts's margin when even closing the connections hangs), the deliveries it
 * could not commit are answered 503, never 2xx, and whatever got a 2xx is stored.
 */
describePostgres('SIGTERM with the database hung', () => {
  let database: TestDatabase;
  let admin: Client;
  const running: AppProcess[] = [];

  async function start(databaseUrl: string): Promise<{ proc: AppProcess; port: number }> {
    const proc = spawnApp({
      ...webhookEnv,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      TDS_INGEST_GROUPS_IN_FLIGHT: '1',
      TDS_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      TDS_JOBS_ENABLED: 'false',
      TDS_JOBS_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      TDS_POLL_INTERVAL_MS: '50',
    });
    running.push(proc);
    const port = await eventually(() => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.output());
      if (!match) throw new Error(`not listening yet:\n${proc.output()}`);
      return Number(match[1]);
    }, 30_000, 50);
    return { proc, port };
  }

  async function storedIds(prefix: string): Promise<string[]> {
    const { rows } = await admin.query(`SELECT source_entity_id AS id FROM tds_inbox_events WHERE source_entity_id LIKE $1 ORDER BY 1`, [`${prefix}%`]);
    return rows.map((row: { id: string }) => row.id);
  }

  async function untilInsertsBlocked(n: number, blockedBy: 'Lock' | 'Client'): Promise<void> {
    await eventually(async () => {
      const { rows } = await admin.query(
        blockedBy === 'Lock'
          ? `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO tds_inbox_events%'`
          : `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%INSERT INTO tds_inbox_events%'`,
      );
      expect(rows[0].n).toBe(n);
    }, 10_000, 20);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    // Migrated once here, so that the processes start at once.
    await (await openTestDataSource('postgres', database.url)).dataSource.destroy();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('a lock the inbox insert waits for: exit 0 within the shutdown timeout, the waiting deliveries answered 503', async () => {
    const { proc, port } = await start(database.url);
    expect(await post(port, '94', 0)).toBe(202);
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tds_inbox_events IN ACCESS EXCLUSIVE MODE');
      const hung = [post(port, '94', 1)];
      await untilInsertsBlocked(1, 'Lock');
      for (let n = 2; n < 6; n++) hung.push(post(port, '94', n));

      const startedAt = Date.now();
      proc.kill('SIGTERM');
      const exit = await proc.exited;
      const exitedAfterMs = Date.now() - startedAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3000);
      expect(await Promise.all(hung)).toEqual(Array(5).fill(503));
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await locker.end();
    }
    expect(await storedIds('94')).toEqual(expect.arrayContaining([contactId('94', 0)]));
  }, 60_000);

  it('a server that stopped answering altogether: the process still exits, by main.ts\'s forced exit, logging why', async () => {
    const proxy = await TcpProxy.start(database.url);
    try {
      const { proc, port } = await start(proxy.url(database.url));
      expect(await post(port, '95', 0)).toBe(202);
      proxy.freeze();
      const hung = [0, 1, 2].map((n) => post(port, '95', n + 1));

      const startedAt = Date.now();
      proc.kill('SIGTERM');
      const exit = await proc.exited;
      const exitedAfterMs = Date.now() - startedAt;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(exitedAfterMs).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS + FORCED_EXIT_MARGIN_MS - 100);
      expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + FORCED_EXIT_MARGIN_MS + 3000);
      expect(proc.output()).toContain('exiting anyway');
      // Never a 2xx: a 503, or (the shutdown hung before the inbox writer gave up) no answer at all.
      for (const status of await Promise.all(hung)) expect([0, 503]).toContain(status);
    } finally {
      proxy.thaw();
      await proxy.close();
    }
    expect(await storedIds('95')).toEqual(expect.arrayContaining([contactId('95', 0)]));
  }, 60_000);
});
