/**
 * The operator's side at scale, on PostgreSQL, app in process and served over loopback HTTP:
 * with BENCH_BFF_QUEUE_ROWS queue rows (default 1,000,000) that each failed one attempt before
 * finishing (as many rows in tds_queue_attempts), about a tenth of them dead letters (~100,000, ~10,000 open), one
 * run per 100 rows (10,000 runs), a day of per-minute metrics and 1,000 alerts:
 *  - the dashboard, cached (p99) and uncached (p99, its cache dropped before every call);
 *  - list pages (BFF and TDS routes) at the first page and deep in the table (a cursor at the
 *    90th percentile of the rows): p99 per route, uncached;
 *  - one record's timeline, uncached (p99);
 *  - BENCH_BFF_PHONES phones (default 100) polling the dashboard every 5 s with If-None-Match
 *    for BENCH_BFF_POLL_SECONDS (default 30) while an alert is acknowledged every 10 s (which
 *    invalidates the dashboard): the database statements they caused, against what the same
 *    requests would have cost without the cache (requests × statements of an uncached call).
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { BFF_CACHE_GROUPS, bffGenerationKey } from '../src/modules/bff/cache/bff-cache.js';
import { AppCache } from '../src/shared/cache/app-cache.js';
import { env, withDatabase, type Row } from './support.js';

const QUEUE_ROWS = Number(env('BENCH_BFF_QUEUE_ROWS', '1000000'));
const PHONES = Number(env('BENCH_BFF_PHONES', '100'));
const POLL_SECONDS = Number(env('BENCH_BFF_POLL_SECONDS', '30'));
const SAMPLES = Number(env('BENCH_BFF_SAMPLES', '200'));
const KEY = 'bench-admin-key-0123456789';

export const bffSettings = { queueRows: QUEUE_ROWS, phones: PHONES, pollSeconds: POLL_SECONDS, samples: SAMPLES };

/**
 * The workload, written by SQL in a few statements. Queue row n belongs to entity
 * `p<n % entities>` (ten versions each) and run `1 + n / 100`; every tenth row is a dead letter,
 * of which a tenth are open (~10,000), half resolved and the rest replayed, as a queue that
 * operators tend looks; the newest 1,000 rows are pending and 100 wait for a retry.
 */
async function seed(db: pg.Client): Promise<void> {
  const runs = Math.ceil(QUEUE_ROWS / 100);
  const entities = Math.max(1, Math.floor(QUEUE_ROWS / 10));
  await db.query(
    `INSERT INTO tds_sync_runs (kind, source, entity_type, status, total, processed, succeeded, failed, skipped, created_at, started_at, completed_at)
     SELECT 'bulk', 'zoho', 'product', 'completed', 100, 100, 90, 10, 0,
            now() - make_interval(secs => ($1 - r) * 30), now() - make_interval(secs => ($1 - r) * 30), now() - make_interval(secs => ($1 - r) * 30 - 12)
     FROM generate_series(1, $1) AS r`,
    [runs],
  );
  await db.query(
    `INSERT INTO tds_sync_queue (source, sync_run_id, entity_type, source_entity_id, operation, version, payload, status, attempt, max_attempts,
                                 error_code, last_error, created_at, started_at, completed_at, next_attempt_at)
     SELECT 'zoho', 1 + n / 100, 'product', 'p' || (n % $2), 'update', 1 + n / $2, jsonb_build_object('item_id', 'p' || (n % $2), 'name', 'Item ' || n),
            CASE WHEN n > $1 - 100 THEN 'retry' WHEN n > $1 - 1100 THEN 'pending' WHEN n % 10 = 0 THEN 'dead_letter' ELSE 'completed' END,
            2, 5,
            CASE WHEN n % 10 = 0 OR n > $1 - 100 THEN 'UPSTREAM.TIMEOUT' END, CASE WHEN n % 10 = 0 OR n > $1 - 100 THEN 'timed out' END,
            now() - make_interval(secs => ($1 - n) * 0.3), now() - make_interval(secs => ($1 - n) * 0.3),
            CASE WHEN n <= $1 - 1100 THEN now() - make_interval(secs => ($1 - n) * 0.3) END, now()
     FROM generate_series(0, $1 - 1) AS n`,
    [QUEUE_ROWS, entities],
  );
  await db.query(
    `INSERT INTO tds_queue_attempts (queue_item_id, attempt, started_at, failed_at, outcome, error_code, error, delay_ms, next_attempt_at)
     SELECT id, 1, created_at, created_at, 'retry', 'UPSTREAM.TIMEOUT', 'timed out', 1000, created_at + interval '1 second' FROM tds_sync_queue`,
  );
  await db.query(
    `INSERT INTO tds_dead_letters (queue_item_id, source, entity_type, source_entity_id, operation, version, sync_run_id, failure_reason, error_code,
                                   attempts, last_payload, created_at, resolved_at, resolved_by, resolution_note, replayed_at, replayed_by)
     SELECT id, source, entity_type, source_entity_id, operation, version, sync_run_id, 'timed out', 'UPSTREAM.TIMEOUT', 5, payload, created_at,
            CASE WHEN (id / 10) % 10 BETWEEN 1 AND 5 THEN created_at + interval '1 hour' END,
            CASE WHEN (id / 10) % 10 BETWEEN 1 AND 5 THEN 'bench' END, CASE WHEN (id / 10) % 10 BETWEEN 1 AND 5 THEN 'fixed at the source' END,
            CASE WHEN (id / 10) % 10 >= 6 THEN created_at + interval '1 hour' END, CASE WHEN (id / 10) % 10 >= 6 THEN 'bench' END
     FROM tds_sync_queue WHERE status = 'dead_letter'`,
  );
  await db.query(
    `INSERT INTO tds_entities (source, entity_type, source_entity_id, version, arrival_seq, content_hash, data, synced_at)
     SELECT 'zoho', 'product', 'p' || e, 10, e, md5(e::text), jsonb_build_object('item_id', 'p' || e), now() FROM generate_series(0, $1 - 1) AS e`,
    [entities],
  );
  await db.query(
    `INSERT INTO tds_metrics (bucket, source, entity_type, received, applied, unchanged, superseded, failed, retried, dead_lettered, latency_sum_ms, latency_max_ms, rolled_up)
     SELECT date_trunc('minute', now()) - make_interval(mins => m), 'zoho', t, 700, 600, 50, 20, 30, 25, 3, 600 * 120, 900, true
     FROM generate_series(0, 1439) AS m, unnest(ARRAY['product', 'contact', 'invoice', 'sales_order', 'price_book']) AS t`,
  );
  await db.query(
    `INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, entity_type, status, triggered_at, updated_at, resolved_at)
     SELECT 'failure_rate', 'bench:' || a, (ARRAY['info', 'warning', 'error', 'critical'])[1 + a % 4], 'Failure rate high', 'bench alert ' || a, 'product',
            CASE WHEN a > 980 THEN 'active' ELSE 'resolved' END, now() - make_interval(mins => 1000 - a), now() - make_interval(mins => 1000 - a),
            CASE WHEN a <= 980 THEN now() - make_interval(mins => 990 - a) END
     FROM generate_series(1, 1000) AS a`,
  );
  await db.query('VACUUM ANALYZE');
}

/**
 * A plain keep-alive HTTP client: the client shares this process with the app, and fetch's
 * stream machinery costs several times what node:http does, which would show in the app's p99.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
function call(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; etag: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? null, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Statements this process sends to PostgreSQL (TypeORM's pool goes through pg.Client#query). */
let statements = 0;
function countStatements(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Latencies of `call`, after one untimed warm-up call; `prepare` runs before each call, untimed. */
async function timed(samples: number, call: () => Promise<void>, prepare?: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  await prepare?.();
  await call();
  for (let i = 0; i < samples; i++) {
    await prepare?.();
    const start = process.hrtime.bigint();
    await call();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

export async function bffBenchmarks(): Promise<Row[]> {
  return withDatabase(async (url) => {
    const rows: Row[] = [];
    Object.assign(process.env, {
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      TDS_API_KEYS: `admin:${KEY}`,
      TDS_WORKERS_ENABLED: 'false',
      TDS_JOBS_ENABLED: 'false',
    });
    countStatements();
    const app = await createApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const seeder = new pg.Client({ connectionString: url });
    await seeder.connect();
    const seedStart = Date.now();
    await seed(seeder);
    const seconds = ((Date.now() - seedStart) / 1000).toFixed(0);
    const cache = app.get(AppCache);
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await call(port, 'GET', path, { authorization: `Bearer ${KEY}`, ...headers });
      if (res.status !== 200 && res.status !== 304) throw new Error(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
      return res;
    };
    const report = (benchmark: string, value: number, unit: string, detail: string) =>
      rows.push({ benchmark, backend: 'postgres', value: Math.round(value * 100) / 100, unit, detail });
    const workload = `${QUEUE_ROWS} queue rows, ${QUEUE_ROWS} attempts, ${QUEUE_ROWS / 10} dead letters, ${Math.ceil(QUEUE_ROWS / 100)} runs (seeded in ${seconds} s)`;

    // Uncached: every BFF cache entry dropped before the call.
    const dropBffCache = () => cache.invalidate(BFF_CACHE_GROUPS.map(bffGenerationKey));

    // Cached calls are cheap: more of them, for a p99 that is not one stray pause.
    const dashboardCached = await timed(SAMPLES * 5, async () => void (await get('/api/bff/tds/dashboard')));
    report('bff dashboard cached p99', dashboardCached.p99, 'ms', `p50 ${dashboardCached.p50.toFixed(2)} ms; ${workload}`);
    const before = statements;
    const dashboardUncached = await timed(SAMPLES, async () => void (await get('/api/bff/tds/dashboard')), dropBffCache);
    // Less the invalidations' own NOTIFY, one per drop (warm-up included).
    const perUncachedCall = (statements - before) / (SAMPLES + 1) - 1;
    report('bff dashboard uncached p99', dashboardUncached.p99, 'ms', `p50 ${dashboardUncached.p50.toFixed(2)} ms; ${perUncachedCall.toFixed(1)} statements per call`);

    // Deep cursors: a page that starts at the 90th percentile of each list's order.
    const deep = async (path: string) => {
      const depth = Math.floor(QUEUE_ROWS / 10 / 50 * 0.9);
      let cursor: string | null = null;
      for (let page = 0; page < depth && page < 2000; page += 1) {
        const res = JSON.parse((await get(`${path}${path.includes('?') ? '&' : '?'}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body);
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      return cursor;
    };
    const lists = ['/api/bff/tds/dead-letter', '/api/bff/tds/sync-runs', '/api/bff/tds/alerts', '/api/tds/dead-letter', '/api/tds/sync-runs'];
    for (const path of lists) {
      const first = await timed(SAMPLES, async () => void (await get(`${path}?limit=50`)), dropBffCache);
      const cursor = await deep(path);
      const deepPage = cursor
        ? await timed(SAMPLES, async () => void (await get(`${path}?limit=50&cursor=${encodeURIComponent(cursor)}`)), dropBffCache)
        : first;
      report(`list page p99 ${path}`, Math.max(first.p99, deepPage.p99), 'ms', `uncached, 50 rows; first page p99 ${first.p99.toFixed(2)} ms, deep page p99 ${deepPage.p99.toFixed(2)} ms`);
    }

    const entity = `p${Math.floor(QUEUE_ROWS / 20)}`;
    const timeline = await timed(SAMPLES, async () => void (await get(`/api/bff/tds/entities/product/${entity}`)), dropBffCache);
    report('bff timeline uncached p99', timeline.p99, 'ms', `p50 ${timeline.p50.toFixed(2)} ms; a record with 10 versions among ${QUEUE_ROWS} queue rows`);

    // Phones: each polls every 5 s from a random offset, with the ETag it last saw.
    await dropBffCache();
    const idleStart = statements;
    await new Promise((r) => setTimeout(r, 5_000));
    const idlePerSecond = (statements - idleStart) / 5;
    const pollStart = statements;
    const deadline = Date.now() + POLL_SECONDS * 1000;
    let requests = 0;
    let notModified = 0;
    const phone = async () => {
      let etag: string | null = null;
      await new Promise((r) => setTimeout(r, Math.random() * 5_000));
      while (Date.now() < deadline) {
        const res = await get('/api/bff/tds/dashboard', etag ? { 'if-none-match': etag } : {});
        requests++;
        if (res.status === 304) notModified++;
        etag = res.etag ?? etag;
        await new Promise((r) => setTimeout(r, 5_000));
      }
    };
    const acknowledger = async () => {
      for (let a = 981; Date.now() < deadline - 10_000 && a <= 1000; a++) {
        await new Promise((r) => setTimeout(r, 10_000));
        await call(port, 'POST', `/api/bff/tds/alerts/${a}/acknowledge`, { authorization: `Bearer ${KEY}` });
      }
    };
    await Promise.all([...Array.from({ length: PHONES }, phone), acknowledger()]);
    const caused = Math.max(0, statements - pollStart - idlePerSecond * POLL_SECONDS);
    const without = requests * perUncachedCall;
    report(
      'bff phones: database reads vs no cache',
      (caused / without) * 100,
      '%',
      `${PHONES} phones every 5 s for ${POLL_SECONDS} s: ${requests} requests (${notModified} answered 304), ${Math.round(caused)} statements against ${Math.round(without)} without the cache (idle ${idlePerSecond.toFixed(1)}/s subtracted)`,
    );

    await seeder.end();
    agent.destroy();
    await app.close();
    return rows;
  });
}
