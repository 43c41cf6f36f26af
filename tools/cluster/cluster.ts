import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseClusterArgs } from './cluster-plan.js';
import type { ClusterInstance } from './cluster-plan.js';

/**
 * `npm run cluster -- --instances 3`: several TDS instances by role on this machine, against
 * one PostgreSQL (DATABASE_URL) and, when REDIS_URL is set, one Redis — the deployment of
 * docs/deployment.md in miniature. Every line an instance prints is prefixed with its number
 * and role. Ctrl-C (or SIGTERM) stops them all the way a deployment would: SIGTERM, so each
 * commits its batch in flight; a second Ctrl-C kills what is left.
 */

const MAIN = resolve(__dirname, '..', '..', 'src', 'main.js');

function log(line: string): void {
  process.stdout.write(`[cluster] ${line}\n`);
}

function relay(stream: Readable, to: NodeJS.WriteStream, prefix: string): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix} ${line}\n`));
}

function start(instance: ClusterInstance): ChildProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(instance.port),
      TDS_ROLE: instance.role,
      TDS_INSTANCE_ID: `cluster-${instance.index}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${instance.index} ${instance.role}]`;
  relay(child.stdout!, process.stdout, prefix);
  relay(child.stderr!, process.stderr, prefix);
  return child;
}

function main(): void {
  if (!process.env.DATABASE_URL) {
    process.stderr.write('DATABASE_URL is required: the embedded database (PGlite) belongs to one process, and a cluster shares one PostgreSQL\n');
    process.exit(2);
  }
  let options;
  try {
    options = parseClusterArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  if (!process.env.REDIS_URL) log('REDIS_URL is unset: each instance caches in its own memory (invalidations still reach every instance, by NOTIFY)');
  const running = new Map<ClusterInstance, ChildProcess>();
  let stopping = false;
  for (const instance of options.instances) {
    const child = start(instance);
    running.set(instance, child);
    log(`instance ${instance.index} (${instance.role}) on port ${instance.port}, pid ${child.pid}`);
    child.on('exit', (code, signal) => {
      running.delete(instance);
      if (!stopping) log(`instance ${instance.index} (${instance.role}) exited (${signal ?? `code ${code}`}); the others go on`);
      if (running.size === 0) {
        log('every instance has stopped');
        process.exit(stopping ? 0 : 1);
      }
    });
  }
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: killing ${running.size} instance(s)`);
      for (const child of running.values()) child.kill('SIGKILL');
      return;
    }
    stopping = true;
    log(`${signal}: stopping ${running.size} instance(s)`);
    for (const child of running.values()) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
