import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp } from './bootstrap.js';

/** For closing connections, after the shutdown hooks' own bounds. */
const FORCED_EXIT_MARGIN_MS = 5_000;

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get(ConfigService);
  await app.listen({ port: config.getOrThrow<number>('app.port'), host: config.getOrThrow<string>('app.host') });
  exitCleanlyOnSignals(app, shutdownLimitMs(config));
}

/**
 * How long a shutdown may take before the process exits anyway: the hooks' own bounds (workers
 * and inbox writer TDS_SHUTDOWN_TIMEOUT_MS, jobs TDS_JOBS_SHUTDOWN_TIMEOUT_MS, alongside) plus a
 * margin. A database that stopped answering without closing its connections (a frozen server,
 * a network partition) holds the pool's end, and so app.close(), forever.
 */
function shutdownLimitMs(config: ConfigService): number {
  const hooksMs = Math.max(config.getOrThrow<number>('queue.shutdownTimeoutMs'), config.getOrThrow<number>('jobs.shutdownTimeoutMs'));
  return hooksMs + FORCED_EXIT_MARGIN_MS;
}

/**
 * SIGTERM/SIGINT: close the app (workers stop claiming and commit the batch in flight, the
 * relay stops, connections close) and exit 0. Nest's own shutdown hooks re-raise the signal
 * after closing, which ends the process "killed by SIGTERM" instead. A second signal, or a
 * shutdown still running after `limitMs`, forces exit 1.
 */
function exitCleanlyOnSignals(app: INestApplication, limitMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    Logger.log(`${signal} received: shutting down`, 'Main');
    setTimeout(() => {
      Logger.error(`shutdown still not finished after ${limitMs} ms (a database that stopped answering?): exiting anyway`, undefined, 'Main');
      process.exit(1);
    }, limitMs).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        Logger.error(`shutdown failed: ${(error as Error).message}`, (error as Error).stack, 'Main');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  // Configuration errors name the variable and never its value, so the message is safe to print.
  process.stderr.write(`TDS failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
