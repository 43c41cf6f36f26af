import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { checkConvergence, downstreamDifferences, rows, type ConvergenceReport, type TruthRecord } from '../../tools/check-convergence/convergence-checks.js';
import { isCi } from '../support/global-setup.js';
import { eventually, freePort, spawnApp, type AppProcess } from '../support/spawn-app.js';
import { openTestDataSource } from '../support/test-database.js';
import { changesOf, prepareDeliveries, sendAll, SERVICE_KEY, VIEWER_KEY, ZOHO_SECRET, type LedgerEntry, type Router } from './chaos-workload.js';
import { findPostgresBin, LocalPostgres, LocalRedis, redisServerInstalled } from './local-services.js';

/*
 * Chaos (issue 15): 3 instances of the built app on one PostgreSQL and one Redis of the test's
 * own; 100,000 product updates over 10,000 entities, shuffled and partly duplicated, as signed
 * Zoho webhooks and 1,000-item bulk requests; meanwhile an instance is SIGKILLed and restarted
 * every 5 s, PostgreSQL restarted once (immediate: a crash) and Redis stopped for 20 s. Then
 * nothing may be lost, applied twice or overwritten by an older version, and every 2xx must be
 * found in the database. TDS_CHAOS_ENTITIES makes it smaller for a quick local run.
 */

const ENTITIES = Number(process.env.TDS_CHAOS_ENTITIES ?? 10_000);
const VERSIONS = 10;
const KILL_EVERY_MS = 5_000;
const REDIS_DOWN_MS = 20_000;
/** After PostgreSQL is back, pools find their dead connections one request at a time: 503s may trail for a while. */
const OUTAGE_GRACE_MS = 15_000;
const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'check-convergence', 'check-convergence.js');
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/*
 * Roles: every role in at least two instances, so that killing any one instance (the controller
 * never kills two at once) leaves an API to send to, workers to apply, a relay to dispatch and a
 * scheduler. A and B run everything; C runs the API and the workers without the scheduler.
 */
const INSTANCES = [
  { name: 'a', role: 'all' },
  { name: 'b', role: 'all' },
  { name: 'c', role: 'api,worker' },
] as const;

const postgresBin = findPostgresBin();
const missing = [
  ...(postgresBin ? [] : ['initdb/pg_ctl (/usr/lib/postgresql/<version>/bin)']),
  ...(redisServerInstalled() ? [] : ['redis-server']),
  ...(existsSync(MAIN) ? [] : [`the built app (${MAIN}: npm run build)`]),
];

if (missing.length > 0 && !isCi()) {
  console.warn(`\n${'!'.repeat(78)}\n!!  CHAOS TEST SKIPPED: missing ${missing.join(', ')}.\n!!  With CI=true this fails instead.\n${'!'.repeat(78)}\n`);
}

interface Instance {
  name: string;
  role: string;
  port: number;
  base: string;
  proc?: AppProcess;
  live: boolean;
  killing: boolean;
  starts: number;
}

interface Window {
  start: number;
  end: number;
  /** Deliveries done when it started and ended: shows the outage fell mid-load. */
  doneAtStart?: number;
  doneAtEnd?: number;
}

(missing.length > 0 && !isCi() ? describe.skip : describe)('chaos: 3 instances, kills, a PostgreSQL restart and a Redis outage', () => {
  let dir: string;
  let postgres: LocalPostgres | undefined;
  let redis: LocalRedis | undefined;
  let databaseUrl: string;
  let pool: Pool;
  const instances: Instance[] = [];
  const unexpectedExits: string[] = [];
  let stopping = false;

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI: the chaos test needs ${missing.join(', ')}`);
    dir = mkdtempSync(join(tmpdir(), 'tds-chaos-'));
    // mkdtemp makes it 0700: PostgreSQL, run as the postgres user under root, must pass through it.
    chmodSync(dir, 0o711);
    postgres = await LocalPostgres.start(postgresBin!, join(dir, 'postgres'));
    redis = await LocalRedis.start(dir);
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('CREATE DATABASE tds');
    await admin.end();
    databaseUrl = postgres.url.replace(/\/postgres$/, '/tds');
    // Migrated once here: instances then start without contending for the migration lock.
    await (await openTestDataSource('postgres', databaseUrl)).close();
    pool = new Pool({ connectionString: databaseUrl, max: 3 });
    // Idle connections die with the PostgreSQL restart; the pool replaces them.
    pool.on('error', () => undefined);
    for (const { name, role } of INSTANCES) {
      const port = await freePort();
      instances.push({ name, role, port, base: `http://127.0.0.1:${port}`, live: false, killing: false, starts: 0 });
    }
    await Promise.all(instances.map(start));
  }, 120_000);

  afterAll(async () => {
    stopping = true;
    for (const instance of instances) {
      instance.killing = true;
      instance.proc?.kill('SIGKILL');
      await instance.proc?.exited;
    }
    await pool?.end().catch(() => undefined);
    await redis?.kill().catch(() => undefined);
    await postgres?.stop().catch((error) => console.warn(`chaos: stopping PostgreSQL: ${(error as Error).message}`));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  function appEnv(instance: Instance): Record<string, string> {
    return {
      PORT: String(instance.port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis!.url,
      TDS_ROLE: instance.role,
      TDS_INSTANCE_ID: `chaos-${instance.name}-${instance.starts}`,
      TDS_MIGRATIONS_RUN: 'false',
      TDS_API_KEYS: `service:${SERVICE_KEY},viewer:${VIEWER_KEY}`,
      TDS_SOURCES: 'zoho',
      TDS_SOURCES_ZOHO_SECRETS: ZOHO_SECRET,
      TDS_WORKER_COUNT: '2',
      TDS_BATCH_SIZE: '500',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      // Kills and the outage fail batches: with few attempts items would end dead-lettered, which
      // tests the retry budget rather than convergence. Crashes per item are capped at their most.
      TDS_MAX_ATTEMPTS: '50',
      TDS_BACKOFF_CAP_MS: '2000',
      TDS_MAX_CRASHES: '20',
      TDS_REACTION_MAX_ATTEMPTS: '50',
      TDS_REACTION_BACKOFF_CAP_MS: '2000',
    };
  }

  /** Spawns the instance and marks it live once it answers; one that dies unasked is started again. */
  async function start(instance: Instance): Promise<void> {
    for (;;) {
      instance.starts++;
      instance.killing = false;
      const proc = spawnApp(appEnv(instance));
      instance.proc = proc;
      const exited = proc.exited.then(() => 'exited' as const);
      const up = await Promise.race([
        exited,
        eventually(async () => {
          const response = await fetch(`${instance.base}/health/live`, { signal: AbortSignal.timeout(2_000) });
          if (response.status !== 200) throw new Error(`live ${response.status}`);
          return 'up' as const;
        }, 60_000, 100),
      ]);
      if (up === 'up') {
        instance.live = true;
        void proc.exited.then(({ code, signal }) => {
          if (instance.killing || stopping) return;
          instance.live = false;
          unexpectedExits.push(`${instance.name} exited (${code ?? signal}), its last output: ${proc.output().slice(-1200)}`);
          void start(instance);
        });
        return;
      }
      const { code, signal } = await proc.exited;
      unexpectedExits.push(`${instance.name} exited while starting (${code ?? signal}), its last output: ${proc.output().slice(-1200)}`);
      if (stopping) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async function kill(instance: Instance): Promise<void> {
    instance.live = false;
    instance.killing = true;
    instance.proc!.kill('SIGKILL');
    await instance.proc!.exited;
  }

  const router: Router = {
    async pick(avoid) {
      for (;;) {
        const live = instances.filter((i) => i.live && servesApi(i));
        const choice = live.filter((i) => i.base !== avoid);
        const from = choice.length > 0 ? choice : live;
        if (from.length > 0) return from[Math.floor(Math.random() * from.length)].base;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };

  it('loses nothing, applies nothing twice, never goes back a version, and accounts for every 2xx', async () => {
    const began = Date.now();
    const { deliveries, changes } = prepareDeliveries({ entities: ENTITIES, versions: VERSIONS, webhookShare: 0.1, bulkSize: 1_000, duplicateRate: 0.1 });
    expect(changes).toBe(ENTITIES * VERSIONS);

    // The controller: a kill on a 5 s clock, restarted in the background (a restart under load
    // can take longer than 5 s); never the last live instance, so the sender always has one.
    let kills = 0;
    let restarts = 0;
    let sending = true;
    const restarting: Promise<void>[] = [];
    const killer = (async () => {
      while (sending) {
        await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
        const live = instances.filter((i) => i.live);
        if (!sending || live.length < 2) continue;
        const victim = live[Math.floor(Math.random() * live.length)];
        await kill(victim);
        kills++;
        restarting.push(start(victim).then(() => void restarts++));
      }
    })();

    const pgOutage: Window = { start: 0, end: 0 };
    const redisOutage: Window = { start: 0, end: 0 };
    const bffAnswers: { status?: number; error?: string }[] = [];
    let outages: Promise<void> | undefined;
    let loadEnded = 0;
    let done = 0;
    const total = deliveries.length;
    const runOutages = async () => {
      Object.assign(pgOutage, { start: Date.now(), doneAtStart: done });
      await postgres!.restartImmediately();
      Object.assign(pgOutage, { end: Date.now(), doneAtEnd: done });
      // Give the pools time to heal before the next outage, so that the BFF reads a working database.
      await new Promise((r) => setTimeout(r, OUTAGE_GRACE_MS));
      Object.assign(redisOutage, { start: Date.now(), doneAtStart: done });
      await redis!.kill();
      const polling = pollBff(redisOutage.start + REDIS_DOWN_MS, bffAnswers);
      await new Promise((r) => setTimeout(r, REDIS_DOWN_MS));
      await polling;
      await redis!.startProcess();
      Object.assign(redisOutage, { end: Date.now(), doneAtEnd: done });
    };

    let ledger: LedgerEntry[];
    try {
      ledger = await sendAll(deliveries, router, {
        concurrency: 48,
        timeoutMs: 30_000,
        deadline: Date.now() + 180_000,
        onProgress: (sent) => {
          done = sent;
          if (!outages && sent >= total * 0.15) outages = runOutages();
        },
      });
      loadEnded = Date.now();
    } finally {
      sending = false;
      await killer;
      await Promise.all(restarting);
      await outages;
    }
    expect(outages).toBeDefined();

    // Every instance up again for the drain.
    await eventually(() => expect(instances.every((i) => i.live)).toBe(true), 60_000, 200);
    await eventually(
      async () => {
        const [open] = await rows<{ open: number; undispatched: number }>(
          pool,
          `SELECT (SELECT count(*)::int FROM tds_sync_queue WHERE status IN ('pending', 'retry', 'processing')) AS open,
                  (SELECT count(*)::int FROM tds_outbox WHERE dispatched_at IS NULL) AS undispatched`,
        );
        expect(open).toEqual({ open: 0, undispatched: 0 });
        expect(await downstreamDifferences(pool)).toHaveLength(0);
      },
      90_000,
      500,
    );
    const drained = Date.now();

    // Truth: per entity the highest version, and its record, among the deliveries that got a 2xx.
    const truthById = new Map<string, TruthRecord>();
    for (const entry of ledger) {
      if (!entry.accepted) continue;
      for (const change of changesOf(entry.delivery)) {
        const seen = truthById.get(change.id);
        if (!seen || seen.version < change.version) {
          truthById.set(change.id, { source: 'zoho', entityType: 'product', sourceEntityId: change.id, version: change.version, data: change.record });
        }
      }
    }
    const truth = [...truthById.values()];
    const report = await checkConvergence(pool, truth);
    const accounting = await accountFor(pool, ledger);

    // The operator's CLI on the same database and truth agrees.
    const truthFile = join(dir, 'truth.ndjson');
    writeFileSync(truthFile, truth.map((t) => JSON.stringify(t)).join('\n'));
    const cli = await runCli(['--database-url', databaseUrl, '--truth', truthFile, '--json']);

    const attempts = ledger.flatMap((e) => e.attempts);
    const kinds = ledger.flatMap((e) => e.attempts.map(() => e.delivery.kind));
    const fiveHundreds = attempts.filter((a) => a.status !== undefined && a.status >= 500);
    const inOutage = (a: { startedAt: number; endedAt: number }) => a.endedAt >= pgOutage.start && a.startedAt <= pgOutage.end + OUTAGE_GRACE_MS;
    const stray5xx = fiveHundreds.filter((a) => a.status !== 503 || !inOutage(a));
    const bffDuringRedis = bffAnswers.filter((a) => a.status !== undefined);

    console.log(
      [
        '',
        '==== chaos test ====',
        `changes ${changes} over ${ENTITIES} entities; deliveries ${ledger.length} (webhooks ${ledger.filter((e) => e.delivery.kind === 'webhook').length}, ` +
          `bulk requests ${ledger.filter((e) => e.delivery.kind === 'bulk').length}; repeats sent on purpose ${ledger.filter((e) => e.repeat).length})`,
        `attempts ${attempts.length}; 2xx ${ledger.filter((e) => e.accepted).length} (webhook 202 ${ledger.filter((e) => e.accepted?.status === 202 && e.delivery.kind === 'webhook').length}, ` +
          `webhook 200 duplicate ${ledger.filter((e) => e.accepted?.status === 200).length}, bulk replayed ${ledger.filter((e) => e.accepted?.replayed).length}); ` +
          `retried deliveries ${ledger.filter((e) => e.attempts.length > 1).length}`,
        `failed attempts: no answer ${attempts.filter((a) => a.status === undefined).length} (${summarise(attempts.filter((a) => a.error).map((a) => a.error!))}); ` +
          `5xx ${fiveHundreds.length} (${summarise(fiveHundreds.map((a) => `${a.status} ${a.code ?? ''}`))}); 429 ${attempts.filter((a) => a.status === 429).length}`,
        `kills ${kills}; instance restarts ${restarts}; unexpected exits ${unexpectedExits.length}; ` +
          `PostgreSQL restarts 1 (${pgOutage.end - pgOutage.start} ms, at ${((pgOutage.start - began) / 1000).toFixed(1)} s, deliveries done ${pgOutage.doneAtStart}→${pgOutage.doneAtEnd}); ` +
          `Redis down ${redisOutage.end - redisOutage.start} ms (at ${((redisOutage.start - began) / 1000).toFixed(1)} s, deliveries done ${redisOutage.doneAtStart}→${redisOutage.doneAtEnd})`,
        `BFF while Redis was down: ${bffDuringRedis.length} answers (${summarise(bffDuringRedis.map((a) => String(a.status)))}), ${bffAnswers.length - bffDuringRedis.length} connection errors retried`,
        `answer time (ms) p50/p99: webhooks ${percentiles(attempts.filter((a, i) => a.status !== undefined && kinds[i] === 'webhook'))}, bulk ${percentiles(attempts.filter((a, i) => a.status !== undefined && kinds[i] === 'bulk'))}`,
        `load ${((loadEnded - began) / 1000).toFixed(1)} s, drained ${((drained - loadEnded) / 1000).toFixed(1)} s later; total ${((Date.now() - began) / 1000).toFixed(1)} s`,
        `convergence: ${report.converged ? 'CONVERGED' : 'NOT CONVERGED'}; lost ${report.lost.count}, applied twice ${report.appliedTwice.count}, ` +
          `stale overwrites ${report.staleOverwrites.count}, data mismatches ${report.dataMismatches.count}, downstream ${report.downstream.count}, ` +
          `missing events ${report.missingEvents.count}; open ${JSON.stringify(report.open)}; queue ${JSON.stringify(report.totals.queueByStatus)}`,
        `2xx accounted for: ${JSON.stringify(accounting)}`,
        ...unexpectedExits.map((e) => `unexpected exit: ${e}`),
        '',
      ].join('\n'),
    );

    // The chaos happened, mid-load.
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(pgOutage.start).toBeLessThan(loadEnded);
    expect(redisOutage.start).toBeLessThan(loadEnded);
    // Converged: nothing lost, applied twice or overwritten by an older version; mirror == truth.
    expect(summary(report)).toEqual({ converged: true, lost: 0, appliedTwice: 0, staleOverwrites: 0, dataMismatches: 0, aheadOfTruth: 0, downstream: 0, missingEvents: 0 });
    expect(report.totals.entities).toBe(ENTITIES);
    expect(truth).toHaveLength(ENTITIES);
    expect(cli.code).toBe(0);
    // Every 2xx accounted for; no queue item from anything else (retries made no extra items).
    expect(accounting).toEqual({ ...accounting, webhookMissing: 0, itemsMissing: 0, bulksWithoutAllIds: 0, unexpectedQueueItems: 0 });
    // No 5xx but 503s during the database outage.
    expect(stray5xx.map((a) => ({ status: a.status, code: a.code, at: a.startedAt - pgOutage.start }))).toEqual([]);
    // The BFF answered from the database all the while Redis was down.
    expect(bffDuringRedis.length).toBeGreaterThanOrEqual(10);
    expect(bffDuringRedis.filter((a) => a.status !== 200)).toEqual([]);
  }, 240_000);

  /** Polls the dashboard until `until`, on live instances; a connection cut by a kill is tried again elsewhere. */
  async function pollBff(until: number, answers: { status?: number; error?: string }[]): Promise<void> {
    let last: string | undefined;
    while (Date.now() < until) {
      const base = await router.pick(last);
      last = base;
      try {
        const response = await fetch(`${base}/api/bff/tds/dashboard`, {
          headers: { authorization: `Bearer ${VIEWER_KEY}` },
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        answers.push({ status: response.status });
      } catch (error) {
        answers.push({ error: (error as Error).name });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

/** A `worker` or `scheduler` instance answers only /health and /metrics. */
function servesApi(instance: Instance): boolean {
  return instance.role.split(',').some((role) => role === 'all' || role === 'api');
}

function summary(report: ConvergenceReport) {
  return {
    converged: report.converged,
    lost: report.lost.count,
    appliedTwice: report.appliedTwice.count,
    staleOverwrites: report.staleOverwrites.count,
    dataMismatches: report.dataMismatches.count,
    aheadOfTruth: report.aheadOfTruth.count,
    downstream: report.downstream.count,
    missingEvents: report.missingEvents.count,
  };
}

/**
 * Every 2xx in the database: a webhook's inbox event (the first delivery's, for a 200 duplicate)
 * with its queue item; every queue item id a 2xx named (a bulk request's, in request order) at
 * that entity and version. And the queue holds exactly what the distinct accepted deliveries
 * carried: a retry of a delivery stored before added nothing.
 */
async function accountFor(db: Pool, ledger: readonly LedgerEntry[]) {
  const accepted = ledger.filter((e) => e.accepted);
  const webhooks = accepted.flatMap((e) =>
    e.delivery.kind === 'webhook' ? [{ inboxId: e.accepted!.body.inboxId, id: e.delivery.change.id, version: e.delivery.change.version }] : [],
  );
  const named = accepted.flatMap((e) => {
    const changes = changesOf(e.delivery);
    return (e.accepted!.body.queueItemIds ?? []).map((q, i) => ({ q, id: changes[i]?.id, version: changes[i]?.version }));
  });
  const bulksWithoutAllIds = accepted.filter((e) => e.delivery.kind === 'bulk' && e.accepted!.body.queueItemIds?.length !== e.delivery.changes.length).length;
  const [{ webhookMissing }] = await rows<{ webhookMissing: number }>(
    db,
    `WITH w AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w ("inboxId" bigint, id text, version bigint))
     SELECT count(*)::int AS "webhookMissing" FROM w
     LEFT JOIN tds_inbox_events i ON i.id = w."inboxId"
     WHERE i.id IS NULL OR i.source_entity_id <> w.id OR i.version <> w.version
        OR NOT EXISTS (SELECT 1 FROM tds_sync_queue q WHERE q.inbox_event_id = i.id AND q.source_entity_id = w.id AND q.version = w.version)`,
    [JSON.stringify(webhooks)],
  );
  const [{ itemsMissing }] = await rows<{ itemsMissing: number }>(
    db,
    `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (q bigint, id text, version bigint))
     SELECT count(*)::int AS "itemsMissing" FROM x
     LEFT JOIN tds_sync_queue q ON q.id = x.q
     WHERE q.id IS NULL OR q.source_entity_id IS DISTINCT FROM x.id OR q.version IS DISTINCT FROM x.version
        OR q.status NOT IN ('completed', 'unchanged', 'superseded')`,
    [JSON.stringify(named)],
  );
  // What the distinct accepted deliveries carried: a webhook counted by its inbox event, a bulk request once (repeats share it).
  const bulkItems = [...new Set(accepted.map((e) => e.delivery).filter((d) => d.kind === 'bulk'))].reduce((n, d) => n + changesOf(d).length, 0);
  const carried = new Set(webhooks.map((w) => w.inboxId)).size + bulkItems;
  const [{ queued }] = await rows<{ queued: number }>(db, `SELECT count(*)::int AS queued FROM tds_sync_queue`);
  return { webhooks: webhooks.length, webhookMissing, namedItemIds: named.length, itemsMissing, bulksWithoutAllIds, queued, carried, unexpectedQueueItems: queued - carried };
}

function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout }),
    ),
  );
}

function percentiles(attempts: readonly { startedAt: number; endedAt: number }[]): string {
  const sorted = attempts.map((a) => a.endedAt - a.startedAt).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
  return `${at(0.5)}/${at(0.99)}`;
}

/** `a ×3, b ×1`: how often each value occurs. */
function summarise(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ×${n}`).join(', ') || 'none';
}
