/**
 * A full pull of Zoho items from the simulator (tools/zoho-simulator), rate limit lifted, into
 * the built app running as its own process on PostgreSQL, workers and outbox relay on: the run
 * is started through the API and timed until it has closed, i.e. every record fetched, stored
 * in the inbox, queued, applied to the mirror and counted. Then, for scale, the same pages
 * read straight from the simulator by a bare client in this process: what the source side
 * costs by itself, so the figure above is the enqueue and apply path's, not the connector's.
 *
 *   BENCH_PULL_ITEMS       items in the catalogue (default 100000)
 *   BENCH_PULL_WAREHOUSES  warehouses per item, each a stock level queue item too (default 1)
 *   BENCH_PULL_REACTIONS   on | off: the outbox relay, and so inventory and search, run alongside (default on)
 */
import { Client } from 'pg';
import { ZohoSimulator } from '../tools/zoho-simulator/zoho-simulator.js';
import { env, freePort, startBuiltApp, stopBuiltApp, withDatabase, type Row } from './support.js';

const ITEMS = Number(env('BENCH_PULL_ITEMS', '100000'));
const WAREHOUSES = Number(env('BENCH_PULL_WAREHOUSES', '1'));
const REACTIONS = env('BENCH_PULL_REACTIONS', 'on') === 'on';
const KEY = 'bench-operator-key-0123456789';
const CREDENTIALS = { organizationId: '60000000001', clientId: '1000.BENCH', clientSecret: 'bench-client-secret', refreshToken: '1000.bench-refresh' };

export const pullSettings = { items: ITEMS, warehouses: WAREHOUSES, reactions: REACTIONS };

function startApp(url: string, port: number, sim: ZohoSimulator) {
  return startBuiltApp(port, {
    DATABASE_URL: url,
    TDS_API_KEYS: `operator:${KEY}`,
    TDS_POLL_INTERVAL_MS: '200',
    TDS_PULL_SCHEDULE: '',
    TDS_OUTBOX_RELAY_ENABLED: String(REACTIONS),
    TDS_ZOHO_ACCOUNTS: 'bench',
    TDS_ZOHO_BENCH_CLIENT_ID: CREDENTIALS.clientId,
    TDS_ZOHO_BENCH_CLIENT_SECRET: CREDENTIALS.clientSecret,
    TDS_ZOHO_BENCH_REFRESH_TOKEN: CREDENTIALS.refreshToken,
    TDS_ZOHO_BENCH_ORGANIZATION_ID: CREDENTIALS.organizationId,
    TDS_ZOHO_BENCH_ACCOUNTS_URL: sim.url,
    TDS_ZOHO_BENCH_API_URL: sim.url,
    TDS_ZOHO_BENCH_RATE_PER_MINUTE: '0',
    TDS_ZOHO_BENCH_DAILY_BUDGET: '1000000',
  });
}

/** Every page the way the connector asks for them (by time, oldest first), with nothing done to the records. */
async function readAllPages(sim: ZohoSimulator): Promise<{ records: number; pages: number }> {
  const token = (await (
    await fetch(`${sim.url}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({ ...{ refresh_token: CREDENTIALS.refreshToken, client_id: CREDENTIALS.clientId, client_secret: CREDENTIALS.clientSecret }, grant_type: 'refresh_token' }),
    })
  ).json()) as { access_token: string };
  let records = 0;
  let pages = 0;
  let bound: string | undefined;
  let page = 1;
  for (;;) {
    const query = new URLSearchParams({ organization_id: CREDENTIALS.organizationId, page: String(page), per_page: '200', sort_column: 'last_modified_time', sort_order: 'A' });
    if (bound !== undefined) query.set('last_modified_time', bound);
    const res = await fetch(`${sim.url}/inventory/v1/items?${query}`, { headers: { authorization: `Zoho-oauthtoken ${token.access_token}` } });
    const body = (await res.json()) as { items: { last_modified_time: string }[]; page_context: { has_more_page: boolean } };
    pages++;
    records += body.items.length;
    if (!body.page_context.has_more_page) return { records, pages };
    const newest = body.items[body.items.length - 1].last_modified_time;
    if (newest === bound) page++;
    else [bound, page] = [newest, 1];
  }
}

export async function pullBenchmarks(): Promise<Row[]> {
  const sim = await ZohoSimulator.start(CREDENTIALS);
  sim.seed({ products: ITEMS, warehouses: WAREHOUSES, customers: 0, invoices: 0, salesOrders: 0, priceBooks: 0, seed: 1 });
  try {
    return await withDatabase(async (url) => {
      const port = await freePort();
      const app = await startApp(url, port, sim);
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const started = Date.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/tds/sync-runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ source: 'zoho', entityType: 'product', mode: 'full' }),
        });
        if (res.status !== 202) throw new Error(`starting the run: HTTP ${res.status} ${await res.text()}`);
        const { id } = (await res.json()) as { id: number };
        let run: { status: string; total: number; fetchedMs: number | null; pages: number };
        for (;;) {
          const { rows } = await client.query(
            `SELECT status, total, (extract(epoch FROM fetched_at - started_at) * 1000)::int AS "fetchedMs", (progress->>'pages')::int AS pages
             FROM tds_sync_runs WHERE id = $1`,
            [id],
          );
          run = rows[0];
          if (!['pending', 'running'].includes(run.status)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const seconds = (Date.now() - started) / 1000;
        if (run.status !== 'completed') throw new Error(`the run ended ${run.status}`);
        const { rows: mirrored } = await client.query(`SELECT count(*)::int AS n FROM tds_entities WHERE entity_type = 'product'`);
        const bare = Date.now();
        const direct = await readAllPages(sim);
        const bareSeconds = (Date.now() - bare) / 1000;
        return [
          {
            benchmark: 'pull: full sync into the mirror',
            backend: 'postgres',
            value: Math.round(ITEMS / seconds),
            unit: 'records/s',
            detail:
              `${mirrored[0].n} items mirrored in ${seconds.toFixed(1)} s (${run.total} queue items with ${WAREHOUSES} stock level(s) each, ` +
              `${Math.round(run.total / seconds)} items/s); ${run.pages} pages fetched in ${((run.fetchedMs ?? 0) / 1000).toFixed(1)} s; ` +
              `reactions ${REACTIONS ? 'on' : 'off'}`,
          },
          {
            benchmark: 'pull: the same pages, bare client',
            backend: 'simulator',
            value: Math.round(direct.records / bareSeconds),
            unit: 'records/s',
            detail: `${direct.pages} pages in ${bareSeconds.toFixed(1)} s: the source side alone`,
          },
        ];
      } finally {
        await client.end();
        await stopBuiltApp(app);
      }
    });
  } finally {
    await sim.stop();
  }
}
