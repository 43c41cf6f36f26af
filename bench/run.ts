/**
 * `npm run bench`: prints a table and writes bench/results/bench-<time>.json with the versions and
 * settings it ran with. Loopback only. BENCH_SUITES picks suites (default `queue,webhooks,reactions,pull,peers`);
 * `bff` (it seeds 1,000,000 queue rows) and `soak` (ten minutes) are opt-in. BENCH_DATABASE_URL is the PostgreSQL server's admin URL. Each suite documents its own knobs.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bffBenchmarks, bffSettings } from './bff.bench.js';
import { peersBenchmarks, peersSettings } from './peers.bench.js';
import { pullBenchmarks, pullSettings } from './pull.bench.js';
import { queueBenchmarks, queueSettings } from './queue.bench.js';
import { reactionBenchmarks, reactionSettings } from './reactions.bench.js';
import { soakBenchmarks, soakSettings } from './soak.bench.js';
import { env, serverVersion, type Row } from './support.js';
import { webhookBenchmarks, webhookSettings } from './webhooks.bench.js';

const SUITES = env('BENCH_SUITES', 'queue,webhooks,reactions,pull,peers').split(',');

async function main(): Promise<void> {
  const results: Row[] = [];
  if (SUITES.includes('queue')) results.push(...(await queueBenchmarks()));
  if (SUITES.includes('webhooks')) results.push(...(await webhookBenchmarks()));
  if (SUITES.includes('reactions')) results.push(...(await reactionBenchmarks()));
  if (SUITES.includes('pull')) results.push(...(await pullBenchmarks()));
  if (SUITES.includes('peers')) results.push(...(await peersBenchmarks()));
  if (SUITES.includes('bff')) results.push(...(await bffBenchmarks()));
  if (SUITES.includes('soak')) results.push(...(await soakBenchmarks()));
  console.table(results);

  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const versions = {
    node: process.version,
    postgres: await serverVersion(),
    pglite: pkg('@electric-sql/pglite'),
    nest: pkg('@nestjs/core'),
    fastify: pkg('fastify'),
    typeorm: pkg('typeorm'),
    pg: pkg('pg'),
    autocannon: pkg('autocannon'),
    'graphile-worker': pkg('graphile-worker'),
    'pg-boss': pkg('pg-boss'),
  };
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), versions, settings: { suites: SUITES, queue: queueSettings, webhooks: webhookSettings, reactions: reactionSettings, pull: pullSettings, peers: peersSettings, bff: bffSettings, soak: soakSettings }, results }, null, 2));
  console.log(`written ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
