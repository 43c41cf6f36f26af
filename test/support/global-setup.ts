import { connect } from 'node:net';
import { Client } from 'pg';

/** Admin connection for tests: creates and drops one database per test suite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Set by the global setup for the test workers: 'up' or 'down'. */
export const POSTGRES_STATUS_VAR = 'TDS_TEST_POSTGRES';
export const REDIS_STATUS_VAR = 'TDS_TEST_REDIS';

/** `tds_t_<pid>_<random>`: the pid tells whether the process that made it is still running. */
export const TEST_DATABASE_NAME = /^tds_t_(\d+)_[0-9a-f]+$/;

const PROBE_TIMEOUT_MS = 3000;

/**
 * Runs once before all test files. Finds out whether PostgreSQL and Redis are reachable and
 * tells the workers through environment variables (they inherit this process's environment).
 * Suites that need a missing server are skipped, loudly; on CI (`CI` set) a missing server
 * fails the run instead, so skipped coverage cannot pass unnoticed.
 */
export default async function globalSetup(): Promise<void> {
  const [postgres, redis] = await Promise.all([probePostgres(), probeRedis()]);
  process.env[POSTGRES_STATUS_VAR] = postgres ? 'up' : 'down';
  process.env[REDIS_STATUS_VAR] = redis ? 'up' : 'down';

  const missing = [
    ...(postgres ? [] : [`PostgreSQL at ${redact(TEST_DATABASE_URL)} (TEST_DATABASE_URL)`]),
    ...(redis ? [] : [`Redis at ${redact(TEST_REDIS_URL)} (TEST_REDIS_URL)`]),
  ];
  if (missing.length === 0) return;
  if (isCi()) throw new Error(`CI: test servers unreachable: ${missing.join('; ')}`);
  const bar = '!'.repeat(78);
  console.warn(
    [
      '',
      bar,
      '!!  TEST SERVERS UNREACHABLE: the suites that need them are SKIPPED.',
      ...missing.map((m) => `!!    - ${m}`),
      '!!  Only the embedded-database (PGlite) coverage runs. Start the servers, or set',
      '!!  the URLs above, for a full run. With CI=true this fails the run instead.',
      bar,
      '',
    ].join('\n'),
  );
}

/** `CI` set to anything but empty, `false` or `0`: missing test prerequisites fail the run instead of skipping. */
export function isCi(): boolean {
  const ci = process.env.CI?.toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

async function probePostgres(): Promise<boolean> {
  const client = new Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await dropOrphanedDatabases(client);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Databases left by test processes that died before dropping them. Without FORCE: a database
 * someone is still connected to (another machine's run, say) stays.
 */
async function dropOrphanedDatabases(client: Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'tds\\_t\\_%'`,
  );
  for (const { datname } of rows) {
    const pid = TEST_DATABASE_NAME.exec(datname)?.[1];
    if (pid && !processAlive(Number(pid))) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A PING over a raw socket (after AUTH when the URL has credentials): no Redis client needed. */
function probeRedis(): Promise<boolean> {
  const url = new URL(TEST_REDIS_URL);
  const commands: string[][] = [];
  if (url.password) {
    commands.push(['AUTH', ...(url.username ? [decodeURIComponent(url.username)] : []), decodeURIComponent(url.password)]);
  }
  commands.push(['PING']);
  const request = commands
    .map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
    .join('');
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.startsWith('-')) done(false);
    });
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
