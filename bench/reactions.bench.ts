/**
 * Downstream reactions (inventory + search) behind the outbox relay, on PostgreSQL, app in process:
 *  - backlog: BENCH_BACKLOG changes (default 100,000 new products) applied to the mirror with
 *    the relay off, then the relay switched on: events/s until both reactions have handled all;
 *  - sustained: BENCH_RATE changes/s (default 5,000) enqueued for BENCH_SECONDS (default 20)
 *    while workers, relay and reactions run: the lag from the mirror's commit of a change to
 *    inventory and search both showing it (p95, max).
 */
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { env, withDatabase, type Row } from './support.js';

const BACKLOG = Number(env('BENCH_BACKLOG', '100000'));
const RATE = Number(env('BENCH_RATE', '5000'));
const SECONDS = Number(env('BENCH_SECONDS', '20'));
const TICK_MS = 100;

export const reactionSettings = { backlog: BACKLOG, rate: RATE, seconds: SECONDS };

const REACTIONS = ['inventory.catalogue', 'search.documents'];

async function bootApp(url: string, relay: boolean) {
  Object.assign(process.env, {
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    TDS_API_KEYS: 'admin:bench-admin-key-0123456789',
    TDS_WORKERS_ENABLED: 'true',
    TDS_OUTBOX_RELAY_ENABLED: String(relay),
    TDS_POLL_INTERVAL_MS: '200',
  });
  const app = await createApp();
  await app.init();
  return app;
}

/** New products `prefix-<from..to-1>`, one queue item each, as one insert. */
async function enqueue(db: DataSource, prefix: string, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts)
     SELECT 'zoho', 'product', $1 || n, 'update', 1,
            jsonb_build_object('item_id', $1 || n, 'name', 'Laptop ' || n || ' white 15 inch', 'sku', 'SKU-' || $1 || n,
                               'rate', (n % 997) * 1.25, 'unit', 'pcs', 'status', 'active', 'stock_on_hand', n % 50,
                               'description', 'A sample description of product ' || n),
            5
     FROM generate_series($2::int, $3::int - 1) AS n`,
    [prefix, from, to],
  );
}

async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await db.query(sql, params)) as { n: number }[];
  return Number(row.n);
}

const openQueue = (db: DataSource) => count(db, `SELECT count(*) AS n FROM tds_sync_queue WHERE status IN ('pending', 'retry')`);
const handled = (db: DataSource, reaction: string) => count(db, `SELECT count(*) AS n FROM tds_reaction_receipts WHERE reaction = $1`, [reaction]);

/** Polls every 500 ms. */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Whether the relay has published every row: cheap (the pending index), unlike counting receipts. */
const relayed = async (db: DataSource) => (await count(db, `SELECT count(*) AS n FROM (SELECT 1 FROM tds_outbox WHERE dispatched_at IS NULL LIMIT 1) p`)) === 0;

/** Counts receipts only once the relay is through: counting 100,000s of rows takes CPU from what is measured. */
async function allHandled(db: DataSource, expected: number): Promise<boolean> {
  if (!(await relayed(db))) return false;
  for (const reaction of REACTIONS) if ((await handled(db, reaction)) < expected) return false;
  return true;
}

export async function reactionBenchmarks(): Promise<Row[]> {
  return withDatabase(async (url) => {
    const rows: Row[] = [];

    // Backlog: the mirror is ahead of every reaction by BACKLOG changes.
    let app = await bootApp(url, false);
    let db = app.get(DataSource);
    for (let from = 0; from < BACKLOG; from += 10_000) await enqueue(db, 'b', from, Math.min(BACKLOG, from + 10_000));
    await waitFor(async () => (await openQueue(db)) === 0);
    // A real backlog builds up over minutes, with autovacuum keeping pace; this one took seconds,
    // so vacuum its garbage now rather than in the middle of the drain being measured.
    await db.query('VACUUM ANALYZE');
    await app.close();

    app = await bootApp(url, true);
    db = app.get(DataSource);
    await waitFor(() => allHandled(db, BACKLOG));
    // From the start of the first reaction transaction to the start of the last, on the database clock: app boot is not counted.
    const seconds = await count(db, `SELECT extract(epoch FROM max(created_at) - min(created_at)) AS n FROM tds_reaction_receipts`);
    rows.push({
      benchmark: 'reaction backlog drain',
      backend: 'postgres',
      value: Math.round(BACKLOG / seconds),
      unit: 'events/s',
      detail: `${BACKLOG} changes → inventory + search in ${seconds.toFixed(2)} s (first to last reaction transaction; backlog vacuumed first)`,
    });

    // Sustained: RATE changes/s for SECONDS.
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    const ticks = Math.round((SECONDS * 1000) / TICK_MS);
    const feedStart = Date.now();
    for (let tick = 0; tick < ticks; tick++) {
      await enqueue(db, 's', tick * perTick, (tick + 1) * perTick);
      const next = feedStart + (tick + 1) * TICK_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    const fed = ticks * perTick;
    const fedSeconds = (Date.now() - feedStart) / 1000;
    await waitFor(() => allHandled(db, BACKLOG + fed));
    const [lag] = (await db.query(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) * 1000 AS p95, max(lag) * 1000 AS max, count(*)::int AS n
       FROM (SELECT extract(epoch FROM greatest(p.updated_at, d.updated_at) - e.synced_at) AS lag
             FROM tds_entities e
             JOIN inventory_products p ON p.source = e.source AND p.source_id = e.source_entity_id
             JOIN search_documents d ON d.type = 'product' AND d.source = e.source AND d.source_id = e.source_entity_id
             WHERE e.entity_type = 'product' AND e.source_entity_id LIKE 's%') l`,
    )) as { p95: number; max: number; n: number }[];
    rows.push({
      benchmark: 'reaction lag p95',
      backend: 'postgres',
      value: Math.round(lag.p95),
      unit: 'ms',
      detail: `mirror commit → inventory and search, ${lag.n} changes at ${Math.round(fed / fedSeconds)}/s (max ${Math.round(lag.max)} ms)`,
    });
    await app.close();
    return rows;
  });
}
