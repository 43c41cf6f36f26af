import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ZohoSimulator } from '../../../../tools/zoho-simulator/zoho-simulator.js';
import type { ZohoSimulatorOptions } from '../../../../tools/zoho-simulator/zoho-simulator.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, type TestDatabase } from '../../../support/test-database.js';
import { KEYS, webhookEnv } from '../webhooks/webhook-test-kit.js';

export { KEYS };

/** The simulated organisation and the credentials TDS is configured with (never to appear in a log or an answer). */
export const ZOHO = {
  organizationId: '60012345678',
  clientId: '1000.PULLTESTCLIENT0001',
  clientSecret: 'pull-test-client-secret-6f1c2a',
  refreshToken: '1000.pull-test-refresh-token-9d8e7f',
} as const;

/** TDS pulling from the simulator as account `main` into source `zoho` (the webhook source), fast enough for tests. */
export function pullEnv(sim: ZohoSimulator, env: Record<string, string> = {}): Record<string, string> {
  return {
    ...webhookEnv,
    TDS_OUTBOX_RELAY_ENABLED: 'true',
    TDS_ZOHO_ACCOUNTS: 'main',
    TDS_ZOHO_MAIN_CLIENT_ID: ZOHO.clientId,
    TDS_ZOHO_MAIN_CLIENT_SECRET: ZOHO.clientSecret,
    TDS_ZOHO_MAIN_REFRESH_TOKEN: ZOHO.refreshToken,
    TDS_ZOHO_MAIN_ORGANIZATION_ID: ZOHO.organizationId,
    TDS_ZOHO_MAIN_ACCOUNTS_URL: sim.url,
    TDS_ZOHO_MAIN_API_URL: sim.url,
    TDS_ZOHO_MAIN_RATE_PER_MINUTE: '0',
    TDS_ZOHO_BREAKER_RESET_MS: '500',
    TDS_PULL_POLL_MS: '100',
    TDS_PULL_SCHEDULE: '',
    TDS_PULL_RETRY_BASE_MS: '20',
    TDS_POLL_INTERVAL_MS: '50',
    TDS_BATCH_LINGER_MS: '0',
    ...env,
  };
}

export interface PullSuite {
  sim: ZohoSimulator;
  app: NestFastifyApplication;
  db: DataSource;
  database: TestDatabase;
  /** Boots another app on the same database and simulator (closed with the suite). */
  another(env?: Record<string, string>): Promise<NestFastifyApplication>;
}

/**
 * A simulator, a database and an app pulling from it: a fresh PostgreSQL database (call inside a
 * describePostgres), or the embedded PGlite in memory (one app only: it is in-process).
 */
export function usePullApp(env: Record<string, string> = {}, simulator: Partial<ZohoSimulatorOptions> = {}, backend: 'postgres' | 'pglite' = 'postgres'): PullSuite {
  const suite = {} as PullSuite;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    suite.sim = await ZohoSimulator.start({ ...ZOHO, ...simulator });
    if (backend === 'postgres') suite.database = await createTestDatabase();
    const database: Record<string, string> = backend === 'postgres' ? { DATABASE_URL: suite.database.url } : { DATABASE_URL: '', TDS_DATA_DIR: 'memory' };
    const boot = async (extra: Record<string, string> = {}) => {
      const testApp = await createTestApp(pullEnv(suite.sim, { ...env, ...extra, ...database }));
      apps.push(testApp);
      return testApp.app;
    };
    suite.app = await boot();
    suite.db = suite.app.get(DataSource);
    suite.another = boot;
  });
  afterAll(async () => {
    for (const testApp of apps.reverse()) await testApp.close();
    await suite.sim?.stop();
    await suite.database?.drop();
  });
  return suite;
}

export async function startPull(app: NestFastifyApplication, body: Record<string, unknown>, key: string = KEYS.operator) {
  return app.inject({ method: 'POST', url: '/api/tds/sync-runs', headers: { authorization: `Bearer ${key}` }, payload: body });
}

export interface RunView {
  id: number;
  status: string;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  skipped: number;
  progress: number;
  errorSummary: Record<string, unknown> | null;
  cursorFrom: string | null;
  cursorTo: string | null;
  pull: {
    account: string;
    mode: string;
    fetching: boolean;
    pages: number;
    records: number;
    queued: number;
    invalid: number;
    duplicates: number;
    estimatedPercent: number;
    paused: { code: string; message: string; since: string } | null;
  } | null;
}

export async function getRun(app: NestFastifyApplication, id: number): Promise<RunView> {
  const res = await app.inject({ method: 'GET', url: `/api/tds/sync-runs/${id}`, headers: { authorization: `Bearer ${KEYS.viewer}` } });
  expect(res.statusCode).toBe(200);
  return res.json() as RunView;
}

/** Starts a pull run (202) and waits until it has closed (its items applied, or failed). */
export async function pullToEnd(app: NestFastifyApplication, entityType: string, mode: 'full' | 'incremental', timeoutMs = 60_000): Promise<RunView> {
  const res = await startPull(app, { source: 'zoho', entityType, mode });
  expect(res.statusCode).toBe(202);
  return waitForRun(app, res.json().id, (run) => !['pending', 'running'].includes(run.status), timeoutMs);
}

export function waitForRun(app: NestFastifyApplication, id: number, done: (run: RunView) => boolean, timeoutMs = 60_000): Promise<RunView> {
  return eventually(async () => {
    const run = await getRun(app, id);
    if (!done(run)) throw new Error(`run ${id} is ${run.status} (${JSON.stringify(run.pull)})`);
    return run;
  }, timeoutMs);
}

export interface MirrorRow {
  id: string;
  version: number;
  data: Record<string, unknown>;
}

/** The mirrored records of an entity type, by source id. */
export async function mirror(db: DataSource, entityType: string): Promise<Map<string, MirrorRow>> {
  const found = await rows<MirrorRow>(
    db,
    `SELECT source_entity_id AS id, version::float8 AS version, data FROM tds_entities WHERE source = 'zoho' AND entity_type = $1 AND NOT deleted`,
    [entityType],
  );
  return new Map(found.map((row) => [row.id, row]));
}

/** Zoho's `last_modified_time` as the version TDS stores (epoch ms). */
export const versionOf = (record: Record<string, unknown>) => Date.parse(String(record.last_modified_time).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

/** Every simulator record of the type is mirrored at its current version and content. */
export async function expectMirrored(suite: PullSuite, entityType: string, idField: string): Promise<void> {
  const truth = suite.sim.records(entityType as never);
  const mirrored = await mirror(suite.db, entityType);
  expect(mirrored.size).toBe(truth.length);
  for (const record of truth) {
    const row = mirrored.get(String(record[idField]));
    expect(row?.data).toEqual(record);
    if (record.last_modified_time) expect(row?.version).toBe(versionOf(record));
  }
}

export const cursorOf = async (db: DataSource, entityType: string) =>
  (
    await rows<{ at: Date | null; runId: number }>(
      db,
      `SELECT last_modified_time AS at, sync_run_id::int AS "runId" FROM tds_sync_cursors WHERE source = 'zoho' AND account = 'main' AND entity_type = $1`,
      [entityType],
    )
  )[0];

/** Runs `action` once, just before the simulator answers the `nth` list request from now (1-based); returns the unhook. */
export function onListRequest(sim: ZohoSimulator, nth: number, action: () => void): () => void {
  let seen = 0;
  return sim.onRequest((request) => {
    if (request.path.includes('/inventory/v1/') && ++seen === nth) action();
  });
}
