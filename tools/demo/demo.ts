import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ZOHO_ENTITY_TYPES, ZohoSimulator, startChanges } from '../zoho-simulator/index.js';
import type { CatalogueOptions, ChangeStats, ZohoEntityType } from '../zoho-simulator/index.js';

/**
 * `npm run demo`: TDS on the embedded database (or DATABASE_URL, when set) fed by an in-process
 * Zoho simulator. It seeds a catalogue, starts TDS as its own process (`node dist/src/main.js`,
 * as `npm start` does), runs a full pull of every entity type once TDS is ready, then keeps
 * editing records: about half of the edits are announced by signed webhook, the rest reach TDS
 * only through its scheduled incremental pulls, as when a webhook is lost. Ctrl-C stops it all.
 *
 * The demo owns the Zoho account `demo` and the `zoho` webhook source of the TDS it starts
 * (random credentials and secret each run); PORT, HOST, TDS_DATA_DIR, DATABASE_URL, TDS_API_KEYS,
 * LOG_LEVEL and TDS_PULL_SCHEDULE are the user's, with demo defaults when unset.
 */

const MAIN = resolve(__dirname, '..', '..', 'src', 'main.js');

const ACCOUNT = 'demo';
const SOURCE = 'zoho';
/** Short enough that scheduled incremental pulls show up within a minute (TDS's minimum is 10 s). */
const DEMO_SCHEDULE = 'product:30,customer:30,invoice:60,sales_order:60,price_list:300';
/** Requests per minute TDS allows itself; the simulator, like Zoho, refuses (429) somewhat above it. */
const RATE_PER_MINUTE = 300;
const SIMULATOR_RATE_PER_MINUTE = 360;
const RATE_BURST = 20;
/** Far above what a day of the demo's schedule asks for, so the budget alert stays quiet. */
const DAILY_BUDGET = 1_000_000;
const DEFAULT_PRODUCTS = 5000;
const DEFAULT_CHANGES_PER_SECOND = 5;
const WEBHOOK_SHARE = 0.5;

/** A first start on a slow machine opens the database and runs every migration. */
const READY_TIMEOUT_MS = 180_000;
const READY_POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 10_000;
/** TDS's own shutdown is bounded well below this (workers, inbox writer, jobs). */
const STOP_TIMEOUT_MS = 15_000;
const CHANGES_STOP_TIMEOUT_MS = 5_000;
const STATUS_INTERVAL_MS = 15_000;
/** Failed webhooks are counted and reported at most this often, not one line each. */
const ERROR_REPORT_INTERVAL_MS = 10_000;

const ROLE_RANK: Readonly<Record<string, number>> = { viewer: 1, service: 2, operator: 3, admin: 4 };

export interface DemoSettings {
  port: number;
  host: string;
  /** What the demo connects to: loopback when TDS listens on every interface. */
  connectHost: string;
  /** The key the demo itself calls TDS with; undefined when none of the user's keys can read. */
  apiKey: DemoApiKey | undefined;
  products: number;
  changesPerSecond: number;
}

export type DemoApiKey =
  | { generated: true; role: 'admin'; key: string }
  | { generated: false; role: string; key: string; entry: number };

/** The environment treats an empty variable as unset, as TDS's own configuration does. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The user's TDS_API_KEYS, when set, are used as given (TDS validates them); the demo calls TDS
 * with the highest-ranked one and never prints it. Unset: a strong admin key for this run only.
 */
function chooseApiKey(env: NodeJS.ProcessEnv): DemoApiKey | undefined {
  const configured = read(env, 'TDS_API_KEYS');
  if (configured === undefined) return { generated: true, role: 'admin', key: randomBytes(32).toString('base64url') };
  let best: DemoApiKey | undefined;
  configured.split(',').forEach((entry, index) => {
    const separator = entry.indexOf(':');
    if (separator < 0) return;
    const role = entry.slice(0, separator).trim();
    const key = entry.slice(separator + 1).trim();
    if (!(role in ROLE_RANK) || key === '') return;
    if (!best || ROLE_RANK[role] > ROLE_RANK[best.role]) best = { generated: false, role, key, entry: index + 1 };
  });
  return best;
}

export function readSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const host = read(env, 'HOST') ?? '127.0.0.1';
  return {
    // 0 (any free port) is resolved before TDS starts: the demo must know where to reach it.
    port: wholeNumber(env, 'PORT', 3000, 0, 65535),
    host,
    connectHost: ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(host) ? '127.0.0.1' : host,
    apiKey: chooseApiKey(env),
    products: wholeNumber(env, 'TDS_DEMO_PRODUCTS', DEFAULT_PRODUCTS, 1, 1_000_000),
    changesPerSecond: wholeNumber(env, 'TDS_DEMO_CHANGES_PER_SECOND', DEFAULT_CHANGES_PER_SECOND, 0, 1000),
  };
}

/** Zoho-like credentials, new every run: nothing of a real account, nothing to leak. */
function randomCredentials() {
  return {
    organizationId: String(randomInt(100_000_000, 999_999_999)),
    clientId: `1000.${randomBytes(15).toString('hex').toUpperCase()}`,
    clientSecret: randomBytes(21).toString('hex'),
    refreshToken: `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`,
    webhookSecret: randomBytes(32).toString('base64url'),
  };
}

type Credentials = ReturnType<typeof randomCredentials>;

/**
 * TDS's environment: the user's, with the Zoho account `demo` and the `zoho` webhook source
 * pointed at the simulator (settings the simulator does not sign with are removed), and the
 * demo's defaults where the user set nothing.
 */
export function childEnvironment(
  base: NodeJS.ProcessEnv,
  settings: DemoSettings,
  simulatorUrl: string,
  credentials: Credentials,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, PORT: String(settings.port), HOST: settings.host };
  const fallback = (name: string, value: string) => {
    if (read(env, name) === undefined) env[name] = value;
  };
  fallback('LOG_LEVEL', 'warn');
  // An explicitly empty schedule means no scheduled pulls to TDS: that choice is kept.
  if (env.TDS_PULL_SCHEDULE === undefined) env.TDS_PULL_SCHEDULE = DEMO_SCHEDULE;
  if (settings.apiKey?.generated) env.TDS_API_KEYS = `admin:${settings.apiKey.key}`;

  const account = `TDS_ZOHO_${ACCOUNT.toUpperCase()}_`;
  for (const name of Object.keys(env)) if (name.startsWith(account)) delete env[name];
  Object.assign(env, {
    TDS_ZOHO_ACCOUNTS: ACCOUNT,
    [`${account}CLIENT_ID`]: credentials.clientId,
    [`${account}CLIENT_SECRET`]: credentials.clientSecret,
    [`${account}REFRESH_TOKEN`]: credentials.refreshToken,
    [`${account}ORGANIZATION_ID`]: credentials.organizationId,
    [`${account}ACCOUNTS_URL`]: simulatorUrl,
    [`${account}API_URL`]: simulatorUrl,
    [`${account}PRODUCT`]: 'inventory',
    [`${account}SOURCE`]: SOURCE,
    [`${account}RATE_PER_MINUTE`]: String(RATE_PER_MINUTE),
    [`${account}RATE_BURST`]: String(RATE_BURST),
    [`${account}DAILY_BUDGET`]: String(DAILY_BUDGET),
  });

  const sources = (read(env, 'TDS_SOURCES') ?? 'zoho,generic').split(',').map((name) => name.trim());
  if (!sources.includes(SOURCE)) env.TDS_SOURCES = [...sources, SOURCE].join(',');
  const source = `TDS_SOURCES_${SOURCE.toUpperCase()}_`;
  for (const name of Object.keys(env)) if (name.startsWith(source)) delete env[name];
  env[`${source}SECRETS`] = credentials.webhookSecret;
  return env;
}

function catalogueOf(settings: DemoSettings): CatalogueOptions {
  return {
    products: settings.products,
    warehouses: 3,
    customers: 500,
    invoices: 2000,
    salesOrders: 1000,
    priceBooks: 4,
    // Every seeded record older than the edits to come.
    baseTime: Date.now(),
  };
}

/** Resolves to a port nothing listens on at `host`; `port` itself when free (0: any). */
function freePort(host: string, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const found = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolvePort(found));
    });
  });
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function note(line: string): void {
  process.stdout.write(`[demo] ${line}\n`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * TDS logs JSON lines; here each becomes one short line (level, context, message, error), so
 * the demo's own output stays readable. Anything else (a boot failure's text) passes as is.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; context?: unknown; err?: { message?: unknown; code?: unknown } };
    const level = typeof entry.level === 'string' ? entry.level.toUpperCase() : '?';
    const context = typeof entry.context === 'string' ? `${entry.context}: ` : '';
    const error = entry.err && typeof entry.err.message === 'string' ? ` (${entry.err.code ? `${String(entry.err.code)}: ` : ''}${entry.err.message})` : '';
    return `${level} ${context}${typeof entry.msg === 'string' ? entry.msg : ''}${error}`;
  } catch {
    return line;
  }
}

function relay(stream: Readable, out: NodeJS.WriteStream): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    if (line.trim() !== '') out.write(`tds │ ${formatLogLine(line)}\n`);
  });
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface SyncRunView {
  id: number;
  kind: string;
  entityType: string | null;
  status: string;
  total: number;
  processed: number;
  succeeded: number;
  progress: number;
  pull: { mode: string; fetching: boolean; records: number; estimatedPercent: number } | null;
}

class Demo {
  private simulator: ZohoSimulator | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<ChildExit> | undefined;
  private childExit: ChildExit | undefined;
  private changes: { stop(): Promise<void>; stats: ChangeStats } | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly baseUrl: string;
  private changeErrors = 0;
  private lastChangeError = '';

  constructor(private readonly settings: DemoSettings) {
    this.baseUrl = `http://${settings.connectHost}:${settings.port}`;
  }

  async start(): Promise<void> {
    const { settings } = this;
    const credentials = randomCredentials();
    const simulator = await ZohoSimulator.start({
      organizationId: credentials.organizationId,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      refreshToken: credentials.refreshToken,
      rateLimit: { requests: SIMULATOR_RATE_PER_MINUTE, windowMs: 60_000 },
    });
    this.simulator = simulator;
    const catalogue = catalogueOf(settings);
    simulator.seed(catalogue);
    note(`Zoho simulator at ${simulator.url}: ${ZOHO_ENTITY_TYPES.map((type) => `${simulator.count(type)} ${type}`).join(', ')}`);

    const env = childEnvironment(process.env, settings, simulator.url, credentials);
    note(`starting TDS (${read(env, 'DATABASE_URL') ? 'PostgreSQL from DATABASE_URL' : databaseDescription(env)}) on ${settings.host}:${settings.port}…`);
    // Its own process group: a Ctrl-C in the terminal reaches the demo only, which then stops TDS
    // with one SIGTERM (a second signal would make TDS give up its clean shutdown).
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.exited = new Promise((done) => {
      child.once('error', (error) => done({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => done({ code, signal }));
    });
    void this.exited.then((exit) => {
      this.childExit = exit;
      if (!this.stopping) void this.childDied(exit);
    });
    relay(child.stdout!, process.stdout);
    relay(child.stderr!, process.stderr);

    if (!(await this.waitUntilReady())) return;
    const started = await this.startFullPulls();
    if (this.stopping) return;

    this.changes = startChanges(simulator, {
      catalogue,
      changesPerSecond: settings.changesPerSecond,
      webhook: { url: `${this.baseUrl}/api/tds/webhooks/${SOURCE}`, secret: credentials.webhookSecret },
      webhookShare: WEBHOOK_SHARE,
      onError: (error) => {
        this.changeErrors += 1;
        this.lastChangeError = message(error);
      },
    });
    this.printBanner(child.pid!, simulator.url, env, started);
    this.timers.push(setInterval(() => void this.printStatus(), STATUS_INTERVAL_MS));
    this.timers.push(setInterval(() => this.reportChangeErrors(), ERROR_REPORT_INTERVAL_MS));
  }

  /** Ctrl-C, SIGTERM: stop editing, stop TDS (one SIGTERM, then SIGKILL after STOP_TIMEOUT_MS), stop the simulator. */
  async stop(signal: NodeJS.Signals): Promise<number> {
    this.stopping = true;
    say();
    note(`${signal}: stopping…`);
    for (const timer of this.timers) clearInterval(timer);
    await Promise.race([this.changes?.stop(), delay(CHANGES_STOP_TIMEOUT_MS)]);
    let code = 0;
    if (this.child && this.exited && !this.childExit) {
      note(`stopping TDS (pid ${this.child.pid})…`);
      this.child.kill('SIGTERM');
      const exit = await Promise.race([this.exited, delay(STOP_TIMEOUT_MS).then(() => undefined)]);
      if (!exit) {
        note(`TDS did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
        this.child.kill('SIGKILL');
        await this.exited;
        code = 1;
      } else if (exit.code !== 0 && exit.signal !== 'SIGTERM') {
        // Killed by that SIGTERM is fine too: TDS stopped before it had set up its own handling (still booting).
        note(`TDS stopped ${describeExit(exit)}`);
        code = 1;
      }
    }
    await this.simulator?.stop();
    note(code === 0 ? 'stopped' : 'stopped, but TDS did not shut down cleanly');
    return code;
  }

  /** A second signal while stopping: no more waiting. */
  kill(): void {
    if (this.child && !this.childExit) this.child.kill('SIGKILL');
  }

  /** On the demo's own way out, however it ends: TDS must not outlive it. */
  abandon(): void {
    if (this.child && !this.childExit) this.child.kill('SIGTERM');
  }

  private async childDied(exit: ChildExit): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    say();
    note(exit.error ? `TDS could not be started: ${exit.error.message}` : `TDS exited on its own ${describeExit(exit)}; its last output is above`);
    await Promise.race([this.changes?.stop(), delay(CHANGES_STOP_TIMEOUT_MS)]);
    await this.simulator?.stop();
    process.exit(exit.code !== null && exit.code !== 0 ? exit.code : 1);
  }

  private async waitUntilReady(): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.stopping) {
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await response.arrayBuffer();
        if (response.ok) return true;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`TDS was not ready within ${READY_TIMEOUT_MS / 1000} s (GET /health/ready): giving up`);
      }
      await delay(READY_POLL_MS);
    }
    return false;
  }

  private async api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = {};
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  /** One full pull per entity type; a run already fetching (a scheduled one) is left to go on. */
  private async startFullPulls(): Promise<string[]> {
    const started: string[] = [];
    for (const entityType of ZOHO_ENTITY_TYPES) {
      if (this.stopping) break;
      started.push(`${entityType} ${await this.startFullPull(entityType)}`);
    }
    return started;
  }

  private async startFullPull(entityType: ZohoEntityType): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { status, json } = await this.api('POST', '/api/tds/sync-runs', { source: SOURCE, entityType, mode: 'full' });
        const answer = (json ?? {}) as { id?: number; error?: string; message?: string; details?: { syncRunId?: number } };
        if (status === 202) return `#${answer.id}`;
        if (status === 409 && answer.details?.syncRunId !== undefined) return `#${answer.details.syncRunId} (already running)`;
        if (status < 500 || attempt >= 3) return `not started: ${status} ${answer.error ?? ''} ${answer.message ?? ''}`.trim();
      } catch (error) {
        if (attempt >= 3) return `not started: ${message(error)}`;
      }
      await delay(1000 * attempt);
    }
  }

  private printBanner(pid: number, simulatorUrl: string, env: NodeJS.ProcessEnv, started: string[]): void {
    const { apiKey, changesPerSecond } = this.settings;
    const shownKey = apiKey?.generated ? apiKey.key : '$TDS_API_KEY';
    const line = '─'.repeat(78);
    say(line);
    say('TDS demo is running');
    say(`  Dashboard:   ${this.baseUrl}/`);
    say(`  Swagger UI:  ${this.baseUrl}/api/docs`);
    if (apiKey?.generated) {
      say(`  API key:     ${apiKey.key}`);
      say('               (admin, generated for this run only; set TDS_API_KEYS to use your own)');
    } else if (apiKey) {
      say(`  API key:     your own, from TDS_API_KEYS (the demo uses entry ${apiKey.entry}, role ${apiKey.role}; not shown)`);
      say('               export TDS_API_KEY=<that key> for the commands below');
    } else {
      say('  API key:     none of TDS_API_KEYS is usable (role:key): the demo cannot call TDS');
    }
    say(`  TDS pid:     ${pid}`);
    say(`  Zoho sim:    ${simulatorUrl} (account "${ACCOUNT}", random credentials)`);
    say('Try:');
    say(`  curl -s -H "Authorization: Bearer ${shownKey}" '${this.baseUrl}/api/inventory/products?limit=5'`);
    say(`  curl -s -H "Authorization: Bearer ${shownKey}" '${this.baseUrl}/api/tds/sync-runs?limit=10'`);
    // One line while all went well; a refusal gets a line of its own, where it can be read.
    if (started.every((entry) => entry.includes('#'))) say(`Full pulls: ${started.join(', ')}`);
    else for (const entry of started) say(`Full pull: ${entry}`);
    if (apiKey && ROLE_RANK[apiKey.role] < ROLE_RANK.operator) say('  (starting a pull needs an operator or admin key; the scheduled pulls run anyway)');
    const schedule = env.TDS_PULL_SCHEDULE === '' ? 'none (TDS_PULL_SCHEDULE is empty)' : env.TDS_PULL_SCHEDULE;
    say(`Changes: ${changesPerSecond} a second, about half sent as signed webhooks, the rest left to the scheduled pulls (${schedule})`);
    say('Ctrl-C stops the demo and TDS.');
    say(line);
  }

  /** One line: changes made, and where the newest pull run of each entity type stands. */
  private async printStatus(): Promise<void> {
    if (this.stopping) return;
    const stats = this.changes?.stats;
    const made = stats ? `${stats.changes} changes, ${stats.webhooksSent} by webhook` : 'no changes yet';
    let pulls = '';
    try {
      const { status, json } = await this.api('GET', '/api/tds/sync-runs?kind=pull&limit=50');
      if (status === 200) {
        const newest = new Map<string, SyncRunView>();
        for (const run of (json as { items: SyncRunView[] }).items) if (run.entityType && !newest.has(run.entityType)) newest.set(run.entityType, run);
        pulls = ZOHO_ENTITY_TYPES.filter((type) => newest.has(type))
          .map((type) => describeRun(newest.get(type)!))
          .join(', ');
      } else {
        pulls = `runs not readable (${status})`;
      }
    } catch (error) {
      pulls = `runs not readable (${message(error)})`;
    }
    if (!this.stopping) note(`${new Date().toISOString().slice(11, 19)} ${made} · latest pulls: ${pulls || 'none yet'}`);
  }

  private reportChangeErrors(): void {
    if (this.changeErrors === 0 || this.stopping) return;
    note(`${this.changeErrors} change(s) or webhook(s) failed in the last ${ERROR_REPORT_INTERVAL_MS / 1000} s, e.g.: ${this.lastChangeError}`);
    this.changeErrors = 0;
  }
}

function describeRun(run: SyncRunView): string {
  const mode = run.pull?.mode === 'incremental' ? 'incr' : (run.pull?.mode ?? run.kind);
  const progress = run.status === 'running' ? ` ${Math.round(run.progress * 100)}%` : '';
  return `${run.entityType} #${run.id} ${mode} ${run.status}${progress} (${run.succeeded}/${run.total} applied)`;
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `(killed by ${exit.signal})` : `(exit code ${exit.code})`;
}

function databaseDescription(env: NodeJS.ProcessEnv): string {
  const dir = read(env, 'TDS_DATA_DIR') ?? './data/pglite';
  return dir === 'memory' ? 'embedded database in memory' : `embedded database in ${resolve(dir)}`;
}

async function run(): Promise<void> {
  let settings: DemoSettings;
  try {
    settings = readSettings(process.env);
    settings.port = await freePort(settings.host, settings.port);
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(
      inUse
        ? `[demo] port ${process.env.PORT ?? 3000} is already in use (another TDS? npm start?): stop it or set PORT to a free port\n`
        : `[demo] ${message(error)}\n`,
    );
    process.exit(1);
  }
  const demo = new Demo(settings);
  let stopping = false;
  /** The first signal stops everything in order; a second one stops waiting. */
  const shutdown = (signal: NodeJS.Signals, failed = false): void => {
    if (stopping) {
      note(`${signal} again: killing TDS`);
      demo.kill();
      process.exit(1);
    }
    stopping = true;
    void demo.stop(signal).then(
      (code) => process.exit(failed ? 1 : code),
      (error: unknown) => {
        process.stderr.write(`[demo] stopping failed: ${message(error)}\n`);
        demo.kill();
        process.exit(1);
      },
    );
  };
  // Node passes the signal's number too: it must not reach `failed`.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
  process.on('exit', () => demo.abandon());
  try {
    await demo.start();
  } catch (error) {
    process.stderr.write(`[demo] ${message(error)}\n`);
    if (!stopping) shutdown('SIGTERM', true);
  }
}

// Compiled to CommonJS: run when started as a program, not when imported.
if (require.main === module) void run();
