/**
 * Signed Zoho item webhooks over HTTP on loopback, against the built app running as its own
 * process (as in production), with autocannon as the load generator on the same 2 cores:
 *  - ingest alone (workers off): accepted deliveries/s and latency;
 *  - ingest while the workers apply the same deliveries: in one instance, and with the API and the
 *    workers in two instances by role (TDS_ROLE=api, TDS_ROLE=worker,scheduler);
 *  - end-to-end lag (accepted → applied to the mirror) at a fixed 1,000 deliveries/s.
 * Every delivery is a distinct ~1.5 KB Zoho item (own id and version: none is a duplicate).
 * Each phase starts with a 2 s warm-up at the same load that is not counted.
 *
 *   BENCH_WEBHOOK_SECONDS      duration of each load phase (default 10)
 *   BENCH_WEBHOOK_CONNECTIONS  concurrent connections (default 50)
 *   BENCH_LAG_RATE             deliveries/s of the lag phase (default 1000)
 */
import autocannon from 'autocannon';
import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { env, freePort, startBuiltApp, stopBuiltApp, withDatabase, type Row } from './support.js';

const SECONDS = Number(env('BENCH_WEBHOOK_SECONDS', '10'));
const CONNECTIONS = Number(env('BENCH_WEBHOOK_CONNECTIONS', '50'));
const LAG_RATE = Number(env('BENCH_LAG_RATE', '1000'));
const SECRET = 'bench-webhook-secret';
const WARMUP_SECONDS = 2;

export const webhookSettings = { seconds: SECONDS, connections: CONNECTIONS, lagRate: LAG_RATE };

/** A Zoho item webhook body (~1.5 KB), distinct per `n`. */
export function itemBody(n: number, run: string): string {
  const id = `${run}${n}`;
  return JSON.stringify({
    item: {
      item_id: id,
      name: `Laptop ${id} white 15 inch`,
      status: 'active',
      sku: `LAP-${id}`,
      unit: 'qty',
      item_type: 'inventory',
      product_type: 'goods',
      description: 'A sample description that makes the record about as long as a real one. '.repeat(6),
      rate: 100 + (n % 50),
      purchase_rate: 90.5,
      reorder_level: 5,
      stock_on_hand: n % 40,
      available_stock: n % 30,
      tax_id: '4815000000044043',
      tax_name: 'Sales Tax',
      tax_percentage: 12,
      is_taxable: true,
      custom_fields: [{ customfield_id: '46000000012845', label: 'Colour', value: 'white' }],
      created_time: '2025-01-04T10:12:33+0300',
      last_modified_time: new Date(Date.UTC(2025, 10, 18) + n * 1000).toISOString().replace('Z', '+0000'),
    },
  });
}

function startApp(url: string, port: number, workers: boolean, role = 'all') {
  return startBuiltApp(port, {
    DATABASE_URL: url,
    TDS_API_KEYS: 'admin:bench-admin-key-0123456789',
    TDS_SOURCES_ZOHO_SECRETS: SECRET,
    TDS_WORKERS_ENABLED: String(workers),
    TDS_POLL_INTERVAL_MS: '200',
    TDS_ROLE: role,
  });
}

/** A distinct signed item per request. */
function signedRequest(n: number, run: string) {
  const body = itemBody(n, run);
  return { body, signature: createHmac('sha256', SECRET).update(body).digest('hex') };
}

/**
 * Load with a distinct signed item per request; `rate` caps the overall requests/s. The
 * requests are built before the clock starts, as far as the phase can plausibly use them, so
 * the load generator's own JSON and HMAC work does not take CPU from the server it measures
 * (2 cores shared); past that, they are built on the fly.
 */
async function load(port: number, run: string, seconds: number, connections: number, rate?: number) {
  const prepared = Array.from({ length: Math.min((seconds + WARMUP_SECONDS) * (rate ?? 6_000), 200_000) }, (_, n) => signedRequest(n, run));
  let n = 0;
  // `warmup` (autocannon ≥ 7.9) is missing from its type definitions.
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    // Not counted: the server's JIT and the database's caches settle first.
    warmup: { connections, duration: WARMUP_SECONDS },
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/api/tds/webhooks/zoho?event=item.updated',
        setupRequest: (request) => {
          const { body, signature } = prepared[n] ?? signedRequest(n, run);
          n++;
          return {
            ...request,
            body,
            headers: { 'content-type': 'application/json', 'x-zoho-webhook-signature': signature },
          };
        },
      },
    ],
  };
  const result = await autocannon(options);
  const accepted = result.statusCodeStats?.['202']?.count ?? 0;
  return {
    accepted,
    other: result.non2xx + result.errors + result.timeouts,
    perSecond: accepted / result.duration,
    p99: result.latency.p99,
    p50: result.latency.p50,
  };
}

/** Until nothing is left to apply and every event is dispatched (the reactions to them run right after). */
export async function waitDrained(client: Client, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM tds_sync_queue WHERE status IN ('pending', 'retry'))::int
            + (SELECT count(*) FROM tds_outbox WHERE dispatched_at IS NULL)::int AS open`,
    );
    if (rows[0].open === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the queue did not drain');
}

/** Ingestion at full load while the workers apply what arrives, and whether they kept pace. */
async function ingestWhileApplying(client: Client, port: number, run: string, topology: string): Promise<Row> {
  const mixedStart = Date.now();
  const mixed = await load(port, run, SECONDS, CONNECTIONS);
  // Whether the workers kept pace, over the whole load (warm-up included): an ingest figure
  // bought by starving the workers would show as a backlog here.
  const { rows: pace } = await client.query(
    `SELECT (SELECT count(*) FROM tds_sync_queue WHERE completed_at >= $1)::int AS applied,
            (SELECT count(*) FROM tds_sync_queue WHERE status IN ('pending', 'retry'))::int AS backlog`,
    [new Date(mixedStart)],
  );
  const mixedSeconds = (Date.now() - mixedStart) / 1000;
  return {
    benchmark: `webhook ingest (workers applying, ${topology})`,
    backend: 'postgres',
    value: Math.round(mixed.perSecond),
    unit: 'deliveries/s',
    detail: `p50 ${mixed.p50} ms, p99 ${mixed.p99} ms, ${mixed.accepted} accepted, ${mixed.other} not 202; applied meanwhile ${Math.round(pace[0].applied / mixedSeconds)}/s, ${pace[0].backlog} left to apply at the end`,
  };
}

export async function webhookBenchmarks(): Promise<Row[]> {
  return withDatabase(async (url) => {
    const rows: Row[] = [];
    const port = await freePort();
    const client = new Client({ connectionString: url });

    let app = await startApp(url, port, false);
    await client.connect();
    const ingest = await load(port, 'a', SECONDS, CONNECTIONS);
    rows.push({
      benchmark: 'webhook ingest (workers off)',
      backend: 'postgres',
      value: Math.round(ingest.perSecond),
      unit: 'deliveries/s',
      detail: `p50 ${ingest.p50} ms, p99 ${ingest.p99} ms, ${ingest.accepted} accepted, ${ingest.other} not 202, ${CONNECTIONS} connections`,
    });
    await stopBuiltApp(app);

    app = await startApp(url, port, true);
    // The first phase's deliveries are applied first: this phase measures ingestion while the
    // workers apply what arrives meanwhile, not while they also work off a backlog.
    await waitDrained(client);
    rows.push(await ingestWhileApplying(client, port, 'b', 'one instance (all roles)'));
    await waitDrained(client);
    await stopBuiltApp(app);

    // The same load on the deployment TDS_ROLE is for: the API in one process, the workers (and
    // the relay and reactions) in another, so applying takes no time from the requests' event loop.
    const workerPort = await freePort();
    const worker = await startApp(url, workerPort, true, 'worker,scheduler');
    app = await startApp(url, port, true, 'api');
    rows.push(await ingestWhileApplying(client, port, 'd', 'api and worker instances (TDS_ROLE)'));
    await waitDrained(client);
    await stopBuiltApp(worker);
    await stopBuiltApp(app);
    app = await startApp(url, port, true);

    const lagStart = new Date();
    const steady = await load(port, 'c', SECONDS, 20, LAG_RATE);
    await waitDrained(client);
    const { rows: lag } = await client.query(
      `SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) * 1000 AS p95, max(lag) * 1000 AS max, count(*)::int AS n
       FROM (SELECT extract(epoch FROM max(q.completed_at) - i.received_at) AS lag
             FROM tds_inbox_events i JOIN tds_sync_queue q ON q.inbox_event_id = i.id
             WHERE i.received_at >= $1 GROUP BY i.id, i.received_at) d`,
      [lagStart],
    );
    rows.push({
      benchmark: 'end-to-end lag p95',
      backend: 'postgres',
      value: Math.round(lag[0].p95),
      unit: 'ms',
      detail: `accepted → applied, ${lag[0].n} deliveries at ${Math.round(steady.perSecond)}/s (max ${Math.round(lag[0].max)} ms)`,
    });
    await client.end();
    await stopBuiltApp(app);
    return rows;
  });
}
