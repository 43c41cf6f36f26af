/**
 * Soak (opt-in, `BENCH_SUITES=soak`): the built app as its own process, workers, outbox relay and
 * reactions on, under a steady stream of signed Zoho item webhooks for BENCH_SOAK_SECONDS, to
 * show that nothing grows at a steady state: the app's RSS stays flat after warm-up, the lag
 * from acceptance to the mirror stays short, and retention keeps the queue, inbox and outbox
 * tables bounded. Every BENCH_SOAK_SAMPLE_SECONDS it samples the app's RSS, the tables' rows
 * and sizes, the deliveries accepted, and the lag of the deliveries received a while before.
 *
 * Deliveries are built as they are sent (600,000 prepared bodies would be ~1 GB in this process):
 * every 4th one a new item until BENCH_SOAK_ENTITIES exist, the others an update of an existing
 * one, each with a later last_modified_time (its version) and new stock figures, so each one is
 * applied, changes the mirror and raises an event for the reactions, while the mirror stays
 * bounded by the number of items.
 *
 * Retention: the app's ages cannot be set below a day (inbox, queue) or an hour (outbox and
 * receipts) through its environment (jobs.config.ts), so nothing it keeps would age out during
 * a soak. The soak runs the app's own retention statements itself instead, every
 * BENCH_SOAK_RETENTION_INTERVAL_S with BENCH_SOAK_RETENTION_S as the age of all four
 * (inbox, finished queue items with their attempts, dispatched outbox, reaction receipts), in
 * the order and batches RunRetentionHandler uses; the app's own retention job runs as configured
 * by default and deletes nothing here. Deleted rows free their space only once vacuumed: where
 * the server runs no autovacuum (the shared development server does not), the soak vacuums
 * those tables after each retention pass in its stead, and says so, or their size on disk would
 * grow however few rows they hold.
 *
 *   BENCH_SOAK_SECONDS                 duration of the load (default 600)
 *   BENCH_SOAK_RATE                    deliveries/s (default 1000)
 *   BENCH_SOAK_CONNECTIONS             concurrent connections (default 50)
 *   BENCH_SOAK_ENTITIES                distinct items at most (default 50,000)
 *   BENCH_SOAK_SAMPLE_SECONDS          sampling interval (default 10)
 *   BENCH_SOAK_RETENTION_S             age past which finished rows go (default 60)
 *   BENCH_SOAK_RETENTION_INTERVAL_S    how often retention runs (default 15)
 */
import autocannon from 'autocannon';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CATALOGUE_REACTION } from '../src/modules/inventory/reactions/inventory-catalogue.reaction.js';
import { SEARCH_DOCUMENTS_REACTION } from '../src/modules/search/reactions/search-documents.reaction.js';
import { PURGE_INBOX_BATCH_SQL } from '../src/modules/tds/commands/purge-inbox/purge-inbox.sql.js';
import {
  DELETE_DISPATCHED_OUTBOX_SQL,
  DELETE_FINISHED_QUEUE_ITEMS_SQL,
  DELETE_REACTION_RECEIPTS_SQL,
} from '../src/modules/tds/commands/run-retention/run-retention.sql.js';
import { deleteInBatches } from '../src/shared/database/delete-in-batches.js';
import { env, freePort, startBuiltApp, stopBuiltApp, withDatabase, type Row } from './support.js';
import { itemBody, waitDrained } from './webhooks.bench.js';

const SECONDS = Number(env('BENCH_SOAK_SECONDS', '600'));
const RATE = Number(env('BENCH_SOAK_RATE', '1000'));
const CONNECTIONS = Number(env('BENCH_SOAK_CONNECTIONS', '50'));
const ENTITIES = Number(env('BENCH_SOAK_ENTITIES', '50000'));
const SAMPLE_SECONDS = Number(env('BENCH_SOAK_SAMPLE_SECONDS', '10'));
const RETENTION_SECONDS = Number(env('BENCH_SOAK_RETENTION_S', '60'));
const RETENTION_INTERVAL_SECONDS = Number(env('BENCH_SOAK_RETENTION_INTERVAL_S', '15'));
/** Not judged: the JIT, the pools and the heap settle first. */
const WARMUP_SECONDS = Math.min(120, SECONDS * 0.2);
/** A delivery's lag is read this long after it was received: most are applied by then, and retention has not taken them yet. */
const LAG_SETTLE_SECONDS = Math.min(20, RETENTION_SECONDS / 2);
const RSS_FLAT_PERCENT = 10;
const NEW_EVERY = 4;
const RETENTION_BATCH = 1000;
const SECRET = 'bench-soak-secret';
const RUN = 's';
const VERSION_BASE_MS = Date.UTC(2025, 10, 18);
/** Every reaction the app registers: the outbox retention keeps what their sweeps have not checked (DELETE_DISPATCHED_OUTBOX_SQL). */
const REACTIONS = [CATALOGUE_REACTION, SEARCH_DOCUMENTS_REACTION];
/** What retention bounds, then the mirror, which the number of items bounds. */
const TABLES = ['tds_sync_queue', 'tds_queue_attempts', 'tds_inbox_events', 'tds_outbox', 'tds_reaction_receipts', 'tds_entities'] as const;

export const soakSettings = {
  seconds: SECONDS,
  rate: RATE,
  connections: CONNECTIONS,
  entities: ENTITIES,
  sampleSeconds: SAMPLE_SECONDS,
  warmupSeconds: WARMUP_SECONDS,
  retention: `bench-driven: inbox, finished queue items, dispatched outbox, receipts older than ${RETENTION_SECONDS} s, every ${RETENTION_INTERVAL_SECONDS} s`,
};

/** Delivery `n`: a new item (every NEW_EVERY-th, up to ENTITIES) or an update of one sent before, versioned by `n`. */
function soakRequest(n: number) {
  const created = Math.min(Math.floor(n / NEW_EVERY) + 1, ENTITIES);
  const isNew = n % NEW_EVERY === 0 && n / NEW_EVERY < ENTITIES;
  // Knuth's multiplicative hash spreads the updates over the items instead of walking them in order.
  const entity = isNew ? n / NEW_EVERY : ((n * 2654435761) >>> 0) % created;
  const { item } = JSON.parse(itemBody(entity, RUN)) as { item: Record<string, unknown> };
  item.last_modified_time = new Date(VERSION_BASE_MS + n * 1000).toISOString().replace('Z', '+0000');
  item.stock_on_hand = n % 97;
  item.available_stock = n % 89;
  const body = JSON.stringify({ item });
  return { body, signature: createHmac('sha256', SECRET).update(body).digest('hex') };
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

interface Sample {
  at: number;
  rssMb: number;
  accepted: number;
  rows: Record<string, number>;
  mb: Record<string, number>;
}

/** Rows counted outright (each table stays at tens of thousands of rows here) and size on disk with indexes and TOAST. */
async function tableSizes(client: Client): Promise<Pick<Sample, 'rows' | 'mb'>> {
  const rows: Record<string, number> = {};
  const mb: Record<string, number> = {};
  for (const table of TABLES) {
    const {
      rows: [r],
    } = await client.query(`SELECT count(*)::int AS n, pg_total_relation_size($1::regclass) AS bytes FROM ${table}`, [table]);
    rows[table] = r.n;
    mb[table] = Math.round(Number(r.bytes) / 1e5) / 10;
  }
  return { rows, mb };
}

/**
 * The lag (ms) of each delivery received in [from, to): accepted → its last item finished
 * (applied, unchanged or superseded). One still open counts with its age so far, a lower
 * bound, so a backlog shows rather than hides.
 */
async function lags(client: Client, from: Date, to: Date): Promise<{ lag: number; open: boolean }[]> {
  const { rows } = await client.query(
    `SELECT round(extract(epoch FROM CASE WHEN bool_and(q.completed_at IS NOT NULL) THEN max(q.completed_at) ELSE now() END
                                      - i.received_at) * 1000)::int AS lag,
            NOT bool_and(q.completed_at IS NOT NULL) AS open
     FROM tds_inbox_events i JOIN tds_sync_queue q ON q.inbox_event_id = i.id
     WHERE i.received_at >= $1 AND i.received_at < $2
     GROUP BY i.id, i.received_at`,
    [from, to],
  );
  return rows;
}

/** The app's retention statements with the soak's age, in RunRetentionHandler's order; then, with `vacuum`, autovacuum's work. */
async function retention(db: DataSource, vacuum: boolean): Promise<void> {
  await deleteInBatches(db, PURGE_INBOX_BATCH_SQL, RETENTION_SECONDS, RETENTION_BATCH);
  await deleteInBatches(db, DELETE_FINISHED_QUEUE_ITEMS_SQL, RETENTION_SECONDS, RETENTION_BATCH);
  await deleteInBatches(db, DELETE_DISPATCHED_OUTBOX_SQL, RETENTION_SECONDS, RETENTION_BATCH, [REACTIONS]);
  await deleteInBatches(db, DELETE_REACTION_RECEIPTS_SQL, RETENTION_SECONDS, RETENTION_BATCH);
  // Plain VACUUM: it marks the dead rows' space reusable without locking out the app, as autovacuum does.
  if (vacuum) await db.query(`VACUUM ${TABLES.join(', ')}`);
}

/** Runs `fn` every `seconds` until `stop` resolves, one run at a time, and waits for the run in flight. */
async function every(seconds: number, stop: Promise<unknown>, fn: () => Promise<void>): Promise<void> {
  let done = false;
  const end = () => (done = true);
  stop.then(end, end);
  while (!done) {
    await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), stop]);
    if (!done) await fn();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;

export async function soakBenchmarks(): Promise<Row[]> {
  return withDatabase(async (url) => {
    const port = await freePort();
    const app = await startBuiltApp(port, {
      DATABASE_URL: url,
      TDS_API_KEYS: 'admin:bench-admin-key-0123456789',
      TDS_SOURCES_ZOHO_SECRETS: SECRET,
      TDS_WORKERS_ENABLED: 'true',
      TDS_OUTBOX_RELAY_ENABLED: 'true',
      TDS_POLL_INTERVAL_MS: '200',
    });
    // Sampling and retention run side by side, each on its own connections.
    const client = new Client({ connectionString: url });
    await client.connect();
    const db = new DataSource({ type: 'postgres', url, poolSize: 2 });
    await db.initialize();
    try {
      return await soak(app.pid as number, port, client, db);
    } finally {
      await client.end();
      await db.destroy();
      await stopBuiltApp(app);
    }
  });
}

async function soak(pid: number, port: number, client: Client, db: DataSource): Promise<Row[]> {
  const [{ autovacuum }] = (await db.query('SHOW autovacuum')) as { autovacuum: string }[];
  const vacuum = autovacuum !== 'on';
  let sent = 0;
  let accepted = 0;
  let refused = 0;
  // Without a callback autocannon returns its instance, which is also the promise of its result (the types say only the promise).
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    overallRate: RATE,
    requests: [
      {
        method: 'POST',
        path: '/api/tds/webhooks/zoho?event=item.updated',
        setupRequest: (request) => {
          const { body, signature } = soakRequest(sent++);
          return { ...request, body, headers: { 'content-type': 'application/json', 'x-zoho-webhook-signature': signature } };
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number) => (statusCode >= 200 && statusCode < 300 ? accepted++ : refused++));
  const finished: Promise<autocannon.Result> = instance;

  const started = Date.now();
  const samples: Sample[] = [];
  const lagged: number[] = [];
  let open = 0;
  let lagFrom = new Date(started);
  const readLags = async (to: Date) => {
    if (to <= lagFrom) return;
    for (const l of await lags(client, lagFrom, to)) {
      lagged.push(l.lag);
      if (l.open) open++;
    }
    lagFrom = to;
  };
  const sampling = every(SAMPLE_SECONDS, finished, async () => {
    samples.push({ at: (Date.now() - started) / 1000, rssMb: rssMb(pid), accepted, ...(await tableSizes(client)) });
    await readLags(new Date(Date.now() - LAG_SETTLE_SECONDS * 1000));
  });
  const retaining = every(RETENTION_INTERVAL_SECONDS, finished, () => retention(db, vacuum));
  const [result] = await Promise.all([finished, sampling, retaining]);
  // The last deliveries' lag, once they are all applied.
  await waitDrained(client);
  await readLags(new Date());

  const steady = samples.filter((s) => s.at >= WARMUP_SECONDS);
  const rss = steady.map((s) => s.rssMb);
  const rssMin = Math.min(...rss);
  const rssMax = Math.max(...rss);
  const spread = ((rssMax - rssMin) / rssMin) * 100;
  // The spread takes in the garbage collector's sawtooth; growth shows as the later samples sitting above the earlier ones.
  const third = Math.max(1, Math.floor(rss.length / 3));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const drift = ((median(rss.slice(-third)) - median(rss.slice(0, third))) / median(rss.slice(0, third))) * 100;
  const series = samples.map((s) => `${Math.round(s.at)}s:${s.rssMb}`).join(' ');
  console.log(`soak RSS (MB) every ${SAMPLE_SECONDS} s: ${series}`);
  const rates = samples.map((s, i) => (s.accepted - (samples[i - 1]?.accepted ?? 0)) / (s.at - (samples[i - 1]?.at ?? 0)));
  console.log(`soak accepted/s per sample: ${rates.map((r) => Math.round(r)).join(' ')}`);
  lagged.sort((a, b) => a - b);
  const mid = samples[Math.floor(samples.length / 2)];
  const last = samples[samples.length - 1];

  const rows: Row[] = [
    {
      benchmark: 'soak accepted deliveries/s',
      backend: 'postgres',
      value: Math.round(accepted / result.duration),
      unit: 'deliveries/s',
      detail: `target ${RATE}/s for ${SECONDS} s, ${accepted} accepted, ${refused + result.errors + result.timeouts} not 2xx/errors/timeouts; per ${SAMPLE_SECONDS} s: min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))}; p99 ${result.latency.p99} ms`,
    },
    {
      benchmark: 'soak app RSS after warm-up',
      backend: 'postgres',
      value: Math.round(spread * 10) / 10,
      unit: '% spread',
      detail: `${rssMin}–${rssMax} MB after the first ${WARMUP_SECONDS} s; flat within ${RSS_FLAT_PERCENT}%: ${spread <= RSS_FLAT_PERCENT ? 'yes' : 'no'}; median of the last third ${drift >= 0 ? '+' : ''}${Math.round(drift * 10) / 10}% against the first; series ${series}`,
    },
    {
      benchmark: 'soak end-to-end lag p95',
      backend: 'postgres',
      value: percentile(lagged, 0.95),
      unit: 'ms',
      detail: `accepted → applied, ${lagged.length} deliveries; p50 ${percentile(lagged, 0.5)} ms, p99 ${percentile(lagged, 0.99)} ms, max ${lagged[lagged.length - 1]} ms; ${open} still open ${LAG_SETTLE_SECONDS} s after receipt (counted with their age then)`,
    },
    ...TABLES.map((table) => ({
      benchmark: `soak ${table} rows (max)`,
      backend: 'postgres',
      value: Math.max(...samples.map((s) => s.rows[table])),
      unit: 'rows',
      detail: `rows start/middle/end ${samples[0].rows[table]}/${mid.rows[table]}/${last.rows[table]}; MB start/middle/end/max ${samples[0].mb[table]}/${mid.mb[table]}/${last.mb[table]}/${Math.max(...samples.map((s) => s.mb[table]))}; ${table === 'tds_entities' ? `at most ${ENTITIES} items` : `${soakSettings.retention}${vacuum ? ', vacuumed by the soak (autovacuum off)' : ''}`}`,
    })),
  ];
  return rows;
}
