import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from '../support/spawn-app.js';

/**
 * `npm run demo` as a newcomer runs it: the built demo (`npm test` builds first) with its own
 * simulator and its own TDS process on the embedded database, in a temporary folder.
 */
const DEMO = join(__dirname, '..', '..', 'dist', 'tools', 'demo', 'demo.js');
const ENTITY_TYPES = ['product', 'customer', 'invoice', 'sales_order', 'price_list'];

/**
 * Bounds, measured from the moment the demo says it is ready, so the whole file stays within
 * about two and a half minutes however the time is shared out. A first start opens PGlite and
 * runs every migration; a loaded 2-core machine takes its time.
 */
const BANNER_TIMEOUT_MS = 60_000;
const WITHIN_A_MINUTE_MS = 60_000;
/** The schedule's first ticks come within 30 s (customer, product), the next 30 s later when a full pull was still fetching. */
const SCHEDULED_PULL_WITHIN_MS = 80_000;
/** The demo's own bounds: 5 s for the changes in flight, 15 s for TDS before SIGKILL. */
const STOP_TIMEOUT_MS = 30_000;

interface SyncRun {
  id: number;
  kind: string;
  source: string;
  entityType: string | null;
  status: string;
  succeeded: number;
  pull: { mode: string } | null;
}

let demo: ChildProcess;
let output = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let dataDir: string;
let baseUrl: string;
let apiKey: string;
let tdsPid: number;
let readyAt: number;

/** `check` passes before `ms` after the demo was ready, or the test fails with its last error. */
function within<T>(ms: number, check: () => Promise<T>): Promise<T> {
  return eventually(check, Math.max(readyAt + ms - Date.now(), 1000), 1000);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** What went wrong is in the demo's output: every failure carries its end. */
function failure(reason: string): Error {
  return new Error(`${reason}\n--- demo output (end) ---\n${output.slice(-4000)}`);
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw failure(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function runs(kind: string): Promise<SyncRun[]> {
  return (await get<{ items: SyncRun[] }>(`/api/tds/sync-runs?kind=${kind}&limit=100`)).items;
}

beforeAll(async () => {
  if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run npm run build first (npm test does)`);
  dataDir = mkdtempSync(join(tmpdir(), 'tds-demo-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // Only what a newcomer's shell would have that matters: no keys, no database URL.
  demo = spawn(process.execPath, [DEMO], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, PORT: String(port), TDS_DATA_DIR: join(dataDir, 'pglite'), DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => demo.once('exit', (code, signal) => resolve({ code, signal })));
  await eventually(
    () => {
      if (demo.exitCode !== null) throw failure(`the demo exited with ${demo.exitCode} before it was ready`);
      const key = /^ {2}API key: +(\S+)$/m.exec(output);
      const pid = /^ {2}TDS pid: +(\d+)$/m.exec(output);
      if (!key || !pid) throw failure('the demo has not printed its API key and TDS pid yet');
      apiKey = key[1];
      tdsPid = Number(pid[1]);
      readyAt = Date.now();
    },
    BANNER_TIMEOUT_MS,
    250,
  );
}, BANNER_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    demo.kill('SIGKILL');
    await exited;
  }
  if (tdsPid && isAlive(tdsPid)) process.kill(tdsPid, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm run demo', () => {
  it('prints a strong generated admin key, the dashboard and Swagger UI, and curl commands that use the key', () => {
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(output).toContain(`Dashboard:   ${baseUrl}/`);
    expect(output).toContain(`Swagger UI:  ${baseUrl}/api/docs`);
    expect(output).toContain(`curl -s -H "Authorization: Bearer ${apiKey}" '${baseUrl}/api/inventory/products`);
    expect(output).toContain(`curl -s -H "Authorization: Bearer ${apiKey}" '${baseUrl}/api/tds/sync-runs`);
    expect(isAlive(tdsPid)).toBe(true);
  });

  it('shows products in /api/inventory/products within a minute, with the printed key', async () => {
    const page = await within(WITHIN_A_MINUTE_MS, async () => {
      const products = await get<{ items: { id: unknown }[] }>('/api/inventory/products?limit=5');
      if (products.items.length === 0) throw failure('no products yet');
      return products;
    });
    expect(page.items.length).toBeGreaterThan(0);
  }, WITHIN_A_MINUTE_MS + 15_000);

  it('lists a completed full pull of every entity type, and a scheduled incremental pull after it', async () => {
    await within(WITHIN_A_MINUTE_MS, async () => {
      const pulls = await runs('pull');
      const missing = ENTITY_TYPES.filter((type) => !pulls.some((r) => r.entityType === type && r.pull?.mode === 'full' && r.status === 'completed'));
      if (missing.length > 0) throw failure(`no completed full pull yet of ${missing.join(', ')}: ${JSON.stringify(pulls.map((r) => [r.id, r.entityType, r.pull?.mode, r.status]))}`);
    });
    const incremental = await within(SCHEDULED_PULL_WITHIN_MS, async () => {
      const found = (await runs('pull')).find((r) => r.pull?.mode === 'incremental' && r.status === 'completed');
      if (!found) throw failure('no completed incremental pull yet');
      return found;
    });
    expect(incremental.source).toBe('zoho');
  }, SCHEDULED_PULL_WITHIN_MS + 15_000);

  it('applies changes the simulator sent as signed webhooks', async () => {
    const webhookRun = await within(WITHIN_A_MINUTE_MS, async () => {
      const found = (await runs('webhook')).find((r) => r.source === 'zoho' && r.succeeded > 0);
      if (!found) throw failure('no webhook delivery applied yet');
      return found;
    });
    expect(webhookRun.succeeded).toBeGreaterThan(0);
  }, WITHIN_A_MINUTE_MS + 15_000);

  it('stops on SIGINT: exit code 0, and its TDS process is gone', async () => {
    demo.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STOP_TIMEOUT_MS)));
    const exit = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (!exit) throw failure(`the demo had not exited ${STOP_TIMEOUT_MS / 1000} s after SIGINT`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(tdsPid)).toBe(false);
    expect(output).toContain('[demo] stopped');
  }, STOP_TIMEOUT_MS + 15_000);
});
