/**
 * TDS against the job queues a team would otherwise pick, on one workload, in one run, on the same
 * PostgreSQL server (a scratch database each): BENCH_PEERS_ITEMS version-guarded product updates
 * over BENCH_PEERS_ENTITIES entities, shuffled (so many items arrive after a newer version of
 * their entity and must lose). Each system is timed
 *  - end to end: workers running, enqueue in batches of BENCH_PEERS_BATCH items with
 *    BENCH_PEERS_IN_FLIGHT requests in flight, until everything is applied and nothing is left;
 *  - processing alone: everything enqueued first, then the workers started, until drained.
 * TDS is the built app as its own process, fed through its HTTP bulk API, with the outbox relay
 * and the reactions on (its drain includes every change event dispatched). The peers run in this
 * process as job handlers doing the same version-guarded upsert into a table shaped like the
 * mirror's: graphile-worker (local queue, batched completions, concurrency as its performance
 * docs run it) and pg-boss (batch fetch, one upsert statement per fetched batch).
 * Every run is checked: each entity at its highest version with that version's data, or it throws.
 *
 *   BENCH_PEERS_ITEMS      updates (default 50000)          BENCH_PEERS_ENTITIES   entities (default 10000)
 *   BENCH_PEERS_BATCH      items per enqueue call (1000)    BENCH_PEERS_IN_FLIGHT  enqueue calls in flight (8)
 *   BENCH_PEERS_GRAPHILE_CONCURRENCY  graphile jobs at once (24)  BENCH_PEERS_GRAPHILE_LOCAL_QUEUE  its local queue (500)
 *   BENCH_PEERS_PGBOSS_WORKERS  pg-boss work() loops (2)      BENCH_PEERS_PGBOSS_BATCH  jobs per pg-boss fetch (1000)
 *   BENCH_PEERS_TDS_WORKERS  TDS_WORKER_COUNT (default 2, the app's)  BENCH_PEERS_TDS_BATCH  TDS_BATCH_SIZE (2500; the app's is 1000)
 *   BENCH_PEERS_SYSTEMS    which run (default tds,graphile-worker,pg-boss; the ratios need tds and a peer)
 */
import { cpus } from 'node:os';
import { Logger, makeWorkerUtils, run, type Runner, type Task } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { Client, Pool } from 'pg';
import { backendCpu, backendCpuBetween, env, freePort, processCpuSeconds, startBuiltApp, stopBuiltApp, waitUntil, withDatabase, type Row } from './support.js';

const ITEMS = Number(env('BENCH_PEERS_ITEMS', '50000'));
const ENTITIES = Number(env('BENCH_PEERS_ENTITIES', '10000'));
const BATCH = Number(env('BENCH_PEERS_BATCH', '1000'));
const IN_FLIGHT = Number(env('BENCH_PEERS_IN_FLIGHT', '8'));
const GRAPHILE_CONCURRENCY = Number(env('BENCH_PEERS_GRAPHILE_CONCURRENCY', '24'));
const GRAPHILE_LOCAL_QUEUE = Number(env('BENCH_PEERS_GRAPHILE_LOCAL_QUEUE', '500'));
const PGBOSS_WORKERS = Number(env('BENCH_PEERS_PGBOSS_WORKERS', '2'));
const PGBOSS_BATCH = Number(env('BENCH_PEERS_PGBOSS_BATCH', '1000'));
const TDS_WORKERS = Number(env('BENCH_PEERS_TDS_WORKERS', '2'));
// Tuned for a bulk load as the peers are (concurrency, local queue): a bigger claim sees more of
// an entity's versions at once and applies only the newest. The app's default (1,000) measured
// ~8,700 items/s end to end here against ~10,500 with 2,500.
const TDS_BATCH = Number(env('BENCH_PEERS_TDS_BATCH', '2500'));
const RUN_SYSTEMS = env('BENCH_PEERS_SYSTEMS', 'tds,graphile-worker,pg-boss').split(',');
// Drain checks of every system poll at this pace, so none gains from noticing sooner.
const POLL_MS = 100;
const API_KEY = 'bench-admin-key-0123456789';

export const peersSettings = {
  items: ITEMS,
  entities: ENTITIES,
  batch: BATCH,
  inFlight: IN_FLIGHT,
  systems: RUN_SYSTEMS,
  tds: { workers: TDS_WORKERS, batch: TDS_BATCH, pollIntervalMs: 200, outboxPollIntervalMs: 200 },
  graphile: { concurrency: GRAPHILE_CONCURRENCY, localQueue: GRAPHILE_LOCAL_QUEUE, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
  pgBoss: { workers: PGBOSS_WORKERS, batchSize: PGBOSS_BATCH, pollingIntervalSeconds: 0.5 },
};

/** One update: the entity's id, its version and the record at that version (a Zoho item). */
interface Update {
  id: string;
  version: number;
  data: Record<string, unknown>;
}

/** Update n is version ⌊n / entities⌋ + 1 of entity n mod entities; the order is shuffled. */
function workload(): Update[] {
  const updates = Array.from({ length: ITEMS }, (_, n) => {
    const id = `item-${n % ENTITIES}`;
    const version = Math.floor(n / ENTITIES) + 1;
    return {
      id,
      version,
      data: {
        item_id: id,
        // Names the version, so the check can tell the stored data belongs to the stored version.
        name: `Product ${id} v${version}`,
        sku: `SKU-${id}`,
        rate: (n % 997) * 1.25,
        unit: 'pcs',
        status: 'active',
        item_type: 'inventory',
        stock_on_hand: n % 50,
        description: `A sample description of product ${id}, about as long as a short real one.`,
      },
    };
  });
  for (let i = updates.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [updates[i], updates[j]] = [updates[j], updates[i]];
  }
  return updates;
}

function batches<T>(items: T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));
}

/** Runs `send` over `calls` with at most IN_FLIGHT at once, like a client with a few connections. */
async function sendAll<T>(calls: T[], send: (call: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, calls.length) }, async () => {
      while (next < calls.length) await send(calls[next++]);
    }),
  );
}

/**
 * Throws unless `table` holds exactly the workload's entities, each at its highest version with
 * that version's data: a lost update, a stale overwrite or a duplicate row all fail it.
 */
async function checkApplied(client: Client, table: string): Promise<void> {
  const ids = Array.from({ length: ENTITIES }, (_, e) => `item-${e}`);
  const maxVersions = ids.map((_, e) => Math.floor((ITEMS - 1 - e) / ENTITIES) + 1);
  const { rows } = await client.query(
    `SELECT (SELECT count(*)::int FROM ${table}) AS stored,
            (SELECT count(*)::int
             FROM unnest($1::text[], $2::bigint[]) AS x (id, version)
             JOIN ${table} t ON (t.source, t.entity_type, t.source_entity_id) = ('zoho', 'product', x.id)
             WHERE t.version = x.version AND t.data ->> 'name' = 'Product ' || x.id || ' v' || x.version) AS current`,
    [ids, maxVersions],
  );
  if (rows[0].stored !== ENTITIES || rows[0].current !== ENTITIES) {
    throw new Error(`${table}: ${rows[0].stored} rows, ${rows[0].current} of ${ENTITIES} entities at their highest version`);
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;

type Mode = 'end-to-end' | 'processing';
const MODES: Mode[] = ['end-to-end', 'processing'];

/**
 * Starts counting CPU: the node side (the app's process for TDS, this one for the peers) and the
 * database's backends; the reading says where the time went, and how much of the machine's
 * cores (shared with other work) the run got.
 */
async function cpuMeter(client: Client, appPid?: number): Promise<() => Promise<CpuUsed>> {
  const nodeCpu = () => {
    if (appPid !== undefined) return processCpuSeconds(appPid);
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  const [node0, pg0, t0] = [nodeCpu(), await backendCpu(client), performance.now()];
  return async () => {
    const [node, pg, wall] = [nodeCpu() - node0, backendCpuBetween(pg0, await backendCpu(client)), seconds(t0)];
    return { seconds: node + pg, text: `CPU: node ${node.toFixed(1)} s, PostgreSQL ${pg.toFixed(1)} s of ${(wall * cpus().length).toFixed(0)} core-s` };
  };
}

/** CPU used by a run (node + PostgreSQL): much less moved than its wall time by other load on the machine. */
interface CpuUsed {
  seconds: number;
  text: string;
}

interface Timed {
  seconds: number;
  detail: string;
  cpu: CpuUsed;
  /** The enqueue on its own, where a system's processing run times it separately (TDS, workers off). */
  enqueueAlone?: { seconds: number; detail: string };
}

// ---------------------------------------------------------------- TDS

function startTds(url: string, port: number, workers: boolean) {
  return startBuiltApp(port, {
    DATABASE_URL: url,
    TDS_API_KEYS: `admin:${API_KEY}`,
    TDS_WORKERS_ENABLED: String(workers),
    TDS_WORKER_COUNT: String(TDS_WORKERS),
    TDS_BATCH_SIZE: String(TDS_BATCH),
    TDS_POLL_INTERVAL_MS: '200',
    TDS_OUTBOX_POLL_INTERVAL_MS: '200',
  });
}

/** The request bodies, built before any clock starts: the client's JSON work is not the server's. */
function tdsBodies(updates: Update[]): string[] {
  return batches(updates).map((batch) =>
    JSON.stringify({
      source: 'zoho',
      items: batch.map((u) => ({ entityType: 'product', sourceEntityId: u.id, operation: 'update', version: u.version, payload: u.data })),
    }),
  );
}

async function tdsEnqueue(port: number, bodies: string[]): Promise<void> {
  await sendAll(bodies, async (body) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/tds/queue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body,
    });
    if (response.status !== 202) throw new Error(`enqueue answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  });
}

const tdsQueueOpen = async (client: Client) =>
  (await client.query(`SELECT EXISTS (SELECT 1 FROM tds_sync_queue WHERE status IN ('pending', 'retry')) AS open`)).rows[0].open as boolean;
const tdsOutboxOpen = async (client: Client) =>
  (await client.query(`SELECT EXISTS (SELECT 1 FROM tds_outbox WHERE dispatched_at IS NULL) AS open`)).rows[0].open as boolean;

/**
 * Until nothing is left to apply and every change event is dispatched (the drain the webhooks
 * suite waits for), noting when the queue itself emptied: the part the peers' drain compares to.
 */
async function tdsDrain(client: Client, start: number): Promise<{ applied: number; drained: number }> {
  await waitUntil(async () => !(await tdsQueueOpen(client)), 'the TDS queue to drain', POLL_MS);
  const applied = seconds(start);
  await waitUntil(async () => !(await tdsOutboxOpen(client)), 'the TDS outbox to drain', POLL_MS);
  return { applied, drained: seconds(start) };
}

/**
 * How long after the drain both reactions have handled every mirror change event (the outbox
 * also carries the reactions' own events), counted only then (counting
 * receipts takes CPU from what is measured); not part of the figure, only reported.
 */
async function tdsReactionsLag(client: Client, drainedAt: number): Promise<string> {
  try {
    await waitUntil(
      async () => {
        const { rows } = await client.query(
          `SELECT (SELECT count(*) FROM tds_outbox WHERE event_type LIKE 'tds.entity.%') AS events,
                  (SELECT count(*) FROM tds_reaction_receipts WHERE reaction = 'inventory.catalogue') AS inventory,
                  (SELECT count(*) FROM tds_reaction_receipts WHERE reaction = 'search.documents') AS search`,
        );
        return rows[0].inventory === rows[0].events && rows[0].search === rows[0].events;
      },
      'the reactions',
      500,
      60_000,
    );
    return `reactions (inventory, search) caught up ${seconds(drainedAt).toFixed(1)} s after the drain`;
  } catch {
    return 'reactions NOT caught up 60 s after the drain';
  }
}

/** Until drained from `start`, then the CPU used, the correctness check and how far the reactions trailed. */
async function tdsSettled(client: Client, start: number, cpu: () => Promise<CpuUsed>) {
  const { applied, drained } = await tdsDrain(client, start);
  const used = await cpu();
  const drainedAt = performance.now();
  await checkApplied(client, 'tds_entities');
  return { applied, drained, used, reactions: await tdsReactionsLag(client, drainedAt) };
}

async function tdsEndToEnd(updates: Update[]): Promise<Timed> {
  const bodies = tdsBodies(updates);
  return withDatabase(async (url) => {
    const port = await freePort();
    const app = await startTds(url, port, true);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const cpu = await cpuMeter(client, app.pid);
      const start = performance.now();
      await tdsEnqueue(port, bodies);
      const enqueued = seconds(start);
      const { applied, drained, used, reactions } = await tdsSettled(client, start, cpu);
      return {
        seconds: drained,
        detail:
          `HTTP POST /api/tds/queue, ${BATCH} items a request, ${IN_FLIGHT} in flight, ${TDS_WORKERS} workers × ${TDS_BATCH}-item batches, relay + reactions on; ` +
          `enqueue done at ${enqueued.toFixed(1)} s, queue empty at ${applied.toFixed(1)} s, outbox dispatched at ${drained.toFixed(1)} s; ` +
          `${used.text}; ${reactions}`,
        cpu: used,
      };
    } finally {
      await client.end();
      await stopBuiltApp(app);
    }
  });
}

/** Enqueued with the workers off (also timed: the enqueue's own rate), then a restart with them on. */
async function tdsProcessing(updates: Update[]): Promise<Timed> {
  const bodies = tdsBodies(updates);
  return withDatabase(async (url) => {
    const port = await freePort();
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const loader = await startTds(url, port, false);
      let enqueueAlone: Timed['enqueueAlone'];
      try {
        const cpu = await cpuMeter(client, loader.pid);
        const start = performance.now();
        await tdsEnqueue(port, bodies);
        const took = seconds(start);
        const used = await cpu();
        enqueueAlone = { seconds: took, detail: `${took.toFixed(1)} s over HTTP, ${BATCH} items a request, ${IN_FLIGHT} in flight; ${used.text}` };
      } finally {
        await stopBuiltApp(loader);
      }

      const launched = performance.now();
      const app = await startTds(url, port, true);
      try {
        const ready = performance.now();
        const cpu = await cpuMeter(client, app.pid);
        // The workers may start before the readiness probe answers: the clock starts at the
        // earlier of that answer and the first batch's transaction (completed rows keep its start).
        const { rows } = await client.query(`SELECT extract(epoch FROM now() - min(started_at)) * 1000 AS ago FROM tds_sync_queue`);
        const start = Math.min(ready, rows[0].ago === null ? ready : performance.now() - Number(rows[0].ago));
        const { applied, drained, used, reactions } = await tdsSettled(client, start, cpu);
        return {
          seconds: drained,
          enqueueAlone,
          detail:
            `${ITEMS} items enqueued with workers off, app restarted with ${TDS_WORKERS} workers × ${TDS_BATCH}-item batches, relay + reactions on ` +
            `(boot ${((ready - launched) / 1000).toFixed(1)} s, not counted); queue empty at ${applied.toFixed(1)} s, outbox dispatched at ${drained.toFixed(1)} s; ` +
            `${used.text} (from readiness); ${reactions}`,
          cpu: used,
        };
      } finally {
        await stopBuiltApp(app);
      }
    } finally {
      await client.end();
    }
  });
}

const tds = (updates: Update[], mode: Mode) => (mode === 'end-to-end' ? tdsEndToEnd(updates) : tdsProcessing(updates));

// ---------------------------------------------------------------- the peers' shared target

/** Shaped like TDS's mirror row (tds_entities) without TDS's bookkeeping columns. */
const PEER_TABLE_SQL = `
CREATE TABLE peer_entities (
  source text NOT NULL,
  entity_type text NOT NULL,
  source_entity_id text NOT NULL,
  version bigint NOT NULL,
  data jsonb NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, entity_type, source_entity_id)
)`;

/** One job's update: an older version than the stored one changes nothing. */
const UPSERT_ONE_SQL = `
INSERT INTO peer_entities AS t (source, entity_type, source_entity_id, version, data)
VALUES ('zoho', 'product', $1, $2, $3)
ON CONFLICT (source, entity_type, source_entity_id) DO UPDATE
SET version = excluded.version, data = excluded.data, synced_at = now()
WHERE excluded.version > t.version`;

/**
 * A batch of jobs' updates in one statement. ON CONFLICT may touch a row once per statement, so
 * only each entity's highest version in the batch goes in; rows are taken in key order, so two
 * concurrent batches lock shared rows in the same order and cannot deadlock.
 */
const UPSERT_MANY_SQL = `
INSERT INTO peer_entities AS t (source, entity_type, source_entity_id, version, data)
SELECT DISTINCT ON (x.id) 'zoho', 'product', x.id, x.version, x.data
FROM jsonb_to_recordset($1::jsonb) AS x (id text, version bigint, data jsonb)
ORDER BY x.id, x.version DESC
ON CONFLICT (source, entity_type, source_entity_id) DO UPDATE
SET version = excluded.version, data = excluded.data, synced_at = now()
WHERE excluded.version > t.version`;

/** A scratch database with the peer table; `fn` gets its URL and a client for checks. */
async function withPeerDatabase<T>(fn: (url: string, client: Client) => Promise<T>): Promise<T> {
  return withDatabase(async (url) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(PEER_TABLE_SQL);
      return await fn(url, client);
    } finally {
      await client.end();
    }
  });
}

// ---------------------------------------------------------------- graphile-worker

const quiet = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`graphile-worker: ${message}`);
});

/** Per its performance docs' configuration; its task model is one job per call, so one upsert per job. */
async function graphile(updates: Update[], mode: Mode): Promise<Timed> {
  const calls = batches(updates).map((batch) => batch.map((u) => ({ identifier: 'upsert', payload: u })));
  return withPeerDatabase(async (url, client) => {
    // Its docs advise a pool of concurrency + 2; the tasks' upserts share it, hence a little more.
    const pool = new Pool({ connectionString: url, max: GRAPHILE_CONCURRENCY + 4 });
    // graphile-worker wants both handlers: an idle client's error and a checked-out one's.
    const logError = (error: Error) => console.error(`graphile-worker pool: ${error.message}`);
    pool.on('error', logError);
    pool.on('connect', (pooled) => pooled.on('error', logError));
    const upsert: Task = async (payload) => {
      const u = payload as Update;
      await pool.query(UPSERT_ONE_SQL, [u.id, u.version, u.data]);
    };
    const utils = await makeWorkerUtils({ pgPool: pool, logger: quiet });
    await utils.migrate();
    const enqueue = () => sendAll(calls, async (jobs) => void (await utils.addJobs(jobs)));
    const startRunner = () =>
      run({
        pgPool: pool,
        logger: quiet,
        concurrency: GRAPHILE_CONCURRENCY,
        noHandleSignals: true,
        taskList: { upsert },
        preset: { worker: { localQueue: { size: GRAPHILE_LOCAL_QUEUE }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      });
    // Completed jobs are deleted (batched completions delete them a batch at a time). A failed
    // job stays, waiting for its retry: it ends the wait (the checks then throw) rather than
    // leaving it to time out.
    const drained = async () =>
      (await client.query(`SELECT NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE last_error IS NULL) AS done`)).rows[0].done as boolean;
    let runner: Runner | undefined;
    try {
      const cpu = await cpuMeter(client);
      let start: number;
      if (mode === 'end-to-end') {
        runner = await startRunner();
        start = performance.now();
        await enqueue();
      } else {
        await enqueue();
        start = performance.now();
        runner = await startRunner();
      }
      await waitUntil(drained, 'graphile-worker to drain', POLL_MS);
      const took = seconds(start);
      const used = await cpu();
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM graphile_worker._private_jobs`);
      if (rows[0].n > 0) throw new Error(`graphile-worker: ${rows[0].n} jobs failed`);
      await checkApplied(client, 'peer_entities');
      return {
        seconds: took,
        detail:
          `${mode === 'end-to-end' ? `addJobs × ${BATCH}, ${IN_FLIGHT} in flight while the runner works; ` : `${ITEMS} jobs added first (addJobs × ${BATCH}); `}` +
          `runner concurrency ${GRAPHILE_CONCURRENCY}, localQueue ${GRAPHILE_LOCAL_QUEUE}, completeJobBatchDelay 0, failJobBatchDelay 0, ` +
          `one upsert per job (its task model); ${used.text}`,
        cpu: used,
      };
    } finally {
      await runner?.stop();
      await utils.release();
      await pool.end();
    }
  });
}

// ---------------------------------------------------------------- pg-boss

const PGBOSS_QUEUE = 'peer-upsert';

/**
 * Batch fetch: each work() loop fetches up to PGBOSS_BATCH jobs and its handler upserts them in
 * one statement; pg-boss completes the batch in one statement after the handler. A loop sleeps
 * out its polling interval (at least 0.5 s) after every fetch unless told otherwise, so a full
 * batch notifies its own loop to fetch again at once (notifyWorker, its API for that).
 */
async function pgBoss(updates: Update[], mode: Mode): Promise<Timed> {
  const calls = batches(updates).map((batch) => batch.map((u) => ({ name: PGBOSS_QUEUE, data: u })));
  return withPeerDatabase(async (url, client) => {
    const boss = new PgBoss({ connectionString: url, max: PGBOSS_WORKERS + IN_FLIGHT + 2, schedule: false });
    boss.on('error', (error) => console.error(`pg-boss: ${error.message}`));
    await boss.start();
    await boss.createQueue(PGBOSS_QUEUE);
    const pool = new Pool({ connectionString: url, max: PGBOSS_WORKERS });
    pool.on('error', (error) => console.error(`pg-boss upsert pool: ${error.message}`));
    const enqueue = () => sendAll(calls, (jobs) => boss.insert(jobs));
    const startWorkers = () =>
      Promise.all(
        Array.from({ length: PGBOSS_WORKERS }, async () => {
          const id: string = await boss.work<Update>(PGBOSS_QUEUE, { batchSize: PGBOSS_BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
            await pool.query(UPSERT_MANY_SQL, [JSON.stringify(jobs.map((job) => job.data))]);
            if (jobs.length === PGBOSS_BATCH) boss.notifyWorker(id);
          });
        }),
      );
    // A failed job (state retry or failed) ends the wait too: the checks then throw.
    const drained = async () =>
      (await client.query(`SELECT NOT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state IN ('created', 'active')) AS done`, [PGBOSS_QUEUE]))
        .rows[0].done as boolean;
    try {
      const cpu = await cpuMeter(client);
      let start: number;
      if (mode === 'end-to-end') {
        await startWorkers();
        start = performance.now();
        await enqueue();
      } else {
        await enqueue();
        start = performance.now();
        await startWorkers();
      }
      await waitUntil(drained, 'pg-boss to drain', POLL_MS);
      const took = seconds(start);
      const used = await cpu();
      await boss.offWork(PGBOSS_QUEUE);
      await checkApplied(client, 'peer_entities');
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [PGBOSS_QUEUE]);
      if (rows[0].n !== ITEMS) throw new Error(`pg-boss completed ${rows[0].n} of ${ITEMS} jobs`);
      return {
        seconds: took,
        detail:
          `${mode === 'end-to-end' ? `insert × ${BATCH}, ${IN_FLIGHT} in flight while the workers work; ` : `${ITEMS} jobs inserted first (insert × ${BATCH}); `}` +
          `${PGBOSS_WORKERS} work() loops, batchSize ${PGBOSS_BATCH}, one upsert statement per batch, refetch at once after a full batch; ` +
          used.text,
        cpu: used,
      };
    } finally {
      await boss.stop({ graceful: false, wait: true });
      await pool.end();
    }
  });
}

// ---------------------------------------------------------------- the table

const SYSTEMS: Record<string, (updates: Update[], mode: Mode) => Promise<Timed>> = { tds, 'graphile-worker': graphile, 'pg-boss': pgBoss };

export async function peersBenchmarks(): Promise<Row[]> {
  // Every entity gets at least one update, or the check could not tell a lost one from none.
  if (ITEMS < ENTITIES) throw new Error('BENCH_PEERS_ITEMS must be at least BENCH_PEERS_ENTITIES');
  const updates = workload();
  const rows: Row[] = [];
  const took: Record<string, Record<Mode, number>> = {};
  for (const name of RUN_SYSTEMS) {
    const run = SYSTEMS[name];
    if (!run) throw new Error(`BENCH_PEERS_SYSTEMS: unknown system ${name} (expected ${Object.keys(SYSTEMS).join(', ')})`);
    took[name] = { 'end-to-end': 0, processing: 0 };
    for (const mode of MODES) {
      const timed = await run(updates, mode);
      console.log(`peers: ${name} ${mode} ${timed.seconds.toFixed(1)} s`);
      took[name][mode] = timed.seconds;
      rows.push({
        benchmark: `peers: ${mode === 'end-to-end' ? 'end to end' : 'processing alone'}`,
        backend: name,
        value: Math.round(ITEMS / timed.seconds),
        unit: 'items/s',
        detail: `${timed.seconds.toFixed(1)} s; ${timed.detail}`,
      });
      rows.push({
        benchmark: `peers: CPU per 1,000 items, ${mode === 'end-to-end' ? 'end to end' : 'processing alone'}`,
        backend: name,
        value: Math.round((timed.cpu.seconds * 1e6) / ITEMS),
        unit: 'core-ms',
        detail: `node + PostgreSQL backends; ${timed.cpu.text}`,
      });
      if (timed.enqueueAlone) rows.push({ benchmark: 'peers: enqueue alone (workers off)', backend: name, value: Math.round(ITEMS / timed.enqueueAlone.seconds), unit: 'items/s', detail: timed.enqueueAlone.detail });
    }
  }
  const peers = Object.keys(took).filter((name) => name !== 'tds');
  if (took.tds && peers.length > 0) {
    for (const mode of MODES) {
      const fastest = peers.reduce((a, b) => (took[b][mode] < took[a][mode] ? b : a));
      rows.push({
        benchmark: `peers: TDS / fastest peer, ${mode === 'end-to-end' ? 'end to end' : 'processing alone'}`,
        backend: 'ratio',
        value: Math.round((took[fastest][mode] / took.tds[mode]) * 100) / 100,
        unit: '×',
        detail: `against ${fastest}${mode === 'end-to-end' ? ' (target ≥ 2)' : ''}`,
      });
    }
  }
  return rows;
}
