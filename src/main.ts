import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  const app = await createApp();
  const config = app.get(ConfigService);
  await app.listen({ port: config.getOrThrow<number>('app.port'), host: config.getOrThrow<string>('app.host') });
  exitCleanlyOnSignals(app);
}

/**
 * SIGTERM/SIGINT: close the app (workers stop claiming and commit the batch in flight, the
 * relay stops, connections close) and exit 0. Nest's own shutdown hooks re-raise the signal
 * after closing, which ends the process "killed by SIGTERM" instead. A second signal forces exit.
 */
function exitCleanlyOnSignals(app: INestApplication): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    Logger.log(`${signal} received: shutting down`, 'Main');
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
