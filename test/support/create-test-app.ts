import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type CreateAppOptions } from '../../src/bootstrap.js';

export interface TestApp {
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * The production application (createApp) with `env` applied while it boots, ready for
 * `app.inject()` or `supertest(app.getHttpServer())`. Configuration is read during boot only,
 * so the previous environment is restored as soon as the app is up (or has failed to boot),
 * and several apps with different settings can live side by side in one test file.
 * An app booted without TDS_API_KEYS writes its generated admin key under the temporary
 * directory, never into the working tree's ./data.
 */
export async function createTestApp(env: Record<string, string>, options: CreateAppOptions = {}): Promise<TestApp> {
  const applied: Record<string, string> = {
    LOG_LEVEL: 'warn',
    TDS_JOBS_ENABLED: 'false',
    TDS_ADMIN_KEY_FILE: join(tmpdir(), `tds-test-${process.pid}`, 'admin-api-key'),
    ...env,
  };
  const previous = new Map(Object.keys(applied).map((name) => [name, process.env[name]]));
  Object.assign(process.env, applied);
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp(options);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    await app?.close();
    throw error;
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const ready = app;
  return { app: ready, close: () => ready.close() };
}
