/**
 * The sync core: applied throughput (claim + apply + outbox + status, first claim to last commit)
 * on PostgreSQL and PGlite, and the claim's cost with few and many pending rows.
 *
 *   BENCH_ITEMS     queued updates (default 100000)   BENCH_ENTITIES  over how many entities (20000)
 *   BENCH_WORKERS   concurrent workers (default 2)     BENCH_BATCH     batch size (default 1000)
 *   BENCH_BACKENDS  postgres,pglite (default both)     BENCH_CLAIM_ROWS pending rows for the claim test (10000,1000000)
 */
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { CLAIM_BATCH_SQL } from '../src/modules/tds/workers/claim-batch.sql.js';
import { QueueWorkerService } from '../src/modules/tds/workers/queue-worker.service.js';
import { env, withDatabase, type Row } from './support.js';

const ITEMS = Number(env('BENCH_ITEMS', '100000'));
const ENTITIES = Number(env('BENCH_ENTITIES', '20000'));
const WORKERS = Number(env('BENCH_WORKERS', '2'));
const BATCH = Number(env('BENCH_BATCH', '1000'));
const BACKENDS = env('BENCH_BACKENDS', 'postgres,pglite').split(',');
const CLAIM_ROWS = env('BENCH_CLAIM_ROWS', '10000,1000000').split(',').map(Number);

export const queueSettings = { items: ITEMS, entities: ENTITIES, workers: WORKERS, batch: BATCH, claimRows: CLAIM_ROWS };

async function bootApp(dbEnv: Record<string, string>) {
  Object.assign(process.env, {
    LOG_LEVEL: 'warn',
    TDS_API_KEYS: 'admin:bench-admin-key-0123456789',
    TDS_WORKERS_ENABLED: 'false',
    TDS_OUTBOX_RELAY_ENABLED: 'false',
    TDS_BATCH_SIZE: String(BATCH),
    ...dbEnv,
  });
  const app = await createApp();
  await app.init();
  return app;
}

/** Versions of every entity in shuffled order, inserted as one multi-row insert per 10,000. */
async function enqueue(db: DataSource, items: number, entities: number): Promise<void> {
  const order = Array.from({ length: items }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let start = 0; start < items; start += 10_000) {
    const chunk = order.slice(start, start + 10_000);
    await db.query(
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts)
       SELECT 'zoho', 'product', 'item-' || (n % $2), 'update', n / $2 + 1,
              jsonb_build_object('item_id', 'item-' || (n % $2), 'name', 'Product ' || n, 'sku', 'SKU-' || (n % $2),
                                 'rate', (n % 997) * 1.25, 'unit', 'pcs', 'status', 'active', 'stock_on_hand', n % 50),
              5
       FROM unnest($1::int[]) AS n`,
      [chunk, entities],
    );
  }
}

/** Runs `WORKERS` loops of the real batch step until the queue is empty; items/s from first claim to last commit. */
async function drain(worker: QueueWorkerService): Promise<{ items: number; seconds: number; nodeCpu: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const counts = await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      let total = 0;
      for (let n; (n = await worker.runBatch(`bench/${w}`)) > 0; ) total += n;
      return total;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { items: counts.reduce((a, b) => a + b, 0), seconds, nodeCpu: (used.user + used.system) / 1e6 / seconds };
}

async function throughput(backend: string, dbEnv: Record<string, string>): Promise<Row> {
  const app = await bootApp(dbEnv);
  try {
    const db = app.get(DataSource);
    await enqueue(db, ITEMS, ENTITIES);
    await db.query('ANALYZE tds_sync_queue');
    const { seconds, nodeCpu } = await drain(app.get(QueueWorkerService));
    const [check] = await db.query(`SELECT count(*)::int AS open FROM tds_sync_queue WHERE status IN ('pending', 'retry')`);
    if (check.open !== 0) throw new Error(`drain incomplete: ${check.open} items open`);
    // Claims above the item count are retries (e.g. a deadlock victim) or isolation re-claims: say which.
    const retries: { code: string; n: number }[] = await db.query(
      `SELECT error_code AS code, count(*)::int AS n FROM tds_queue_attempts GROUP BY 1`,
    );
    return {
      benchmark: 'applied throughput',
      backend,
      value: Math.round(ITEMS / seconds),
      unit: 'items/s',
      detail:
        `${ITEMS} updates over ${ENTITIES} entities, ${WORKERS} workers x batch ${BATCH}, ${seconds.toFixed(2)} s, ` +
        `app process ${Math.round(nodeCpu * 100)}% of a core` +
        (retries.length ? `; retried: ${retries.map((r) => `${r.code} x${r.n}`).join(', ')}` : ''),
    };
  } finally {
    await app.close();
  }
}

/** The claim statement alone (rolled back), median of 50, with `pending` claimable rows queued. */
async function claimCost(url: string, pending: number): Promise<Row> {
  const app = await bootApp({ DATABASE_URL: url });
  try {
    const db = app.get(DataSource);
    await db.query('TRUNCATE tds_sync_queue');
    await db.query(
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts)
       SELECT 'zoho', 'product', 'item-' || n, 'update', 1, jsonb_build_object('item_id', 'item-' || n), 5
       FROM generate_series(1, $1) n`,
      [pending],
    );
    await db.query('VACUUM ANALYZE tds_sync_queue');
    const runner = db.createQueryRunner();
    await runner.connect();
    const timings: number[] = [];
    for (let i = 0; i < 60; i++) {
      await runner.startTransaction();
      const t = process.hrtime.bigint();
      await runner.query(CLAIM_BATCH_SQL, [BATCH]);
      timings.push(Number(process.hrtime.bigint() - t) / 1e6);
      await runner.rollbackTransaction();
    }
    await runner.release();
    const median = timings.slice(10).sort((a, b) => a - b)[25];
    return { benchmark: 'claim cost', backend: 'postgres', value: Number(median.toFixed(3)), unit: 'ms/claim', detail: `batch ${BATCH} from ${pending} pending rows (median of 50)` };
  } finally {
    await app.close();
  }
}

export async function queueBenchmarks(): Promise<Row[]> {
  const results: Row[] = [];
  if (BACKENDS.includes('postgres')) {
    await withDatabase(async (url) => results.push(await throughput('postgres', { DATABASE_URL: url })));
    for (const pending of CLAIM_ROWS) await withDatabase(async (url) => results.push(await claimCost(url, pending)));
  }
  if (BACKENDS.includes('pglite')) {
    delete process.env.DATABASE_URL;
    results.push(await throughput('pglite', { DATABASE_URL: '', TDS_DATA_DIR: 'memory' }));
  }
  const claims = results.filter((r) => r.benchmark === 'claim cost');
  if (claims.length === 2) {
    results.push({
      benchmark: 'claim cost ratio',
      backend: 'postgres',
      value: Number((claims[1].value / claims[0].value).toFixed(2)),
      unit: 'x',
      detail: `${CLAIM_ROWS[1]} vs ${CLAIM_ROWS[0]} pending rows`,
    });
  }
  return results;
}
