import 'reflect-metadata';
import { Body, Controller, Logger, Module, Post } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Public } from '../../../src/shared/auth/auth.decorators.js';
import { createLogger } from '../../../src/shared/logging/create-logger.js';
import { PinoLoggerService } from '../../../src/shared/logging/pino-logger.service.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';

class NoteDto {
  @IsString() note!: string;
}

@Public()
@Controller('probe/logging')
class LoggingProbeController {
  @Post()
  create(@Body() dto: NoteDto) {
    return { length: dto.note.length };
  }
}

@Module({ controllers: [LoggingProbeController] })
class LoggingProbeModule {}

function capture() {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(line) },
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describePostgres('request logging', () => {
  let db: TestDatabase;
  let testApp: TestApp;
  const logs = capture();

  beforeAll(async () => {
    db = await createTestDatabase();
    testApp = await createTestApp(
      {
        DATABASE_URL: db.url,
        TDS_WORKERS_ENABLED: 'false',
        TDS_OUTBOX_RELAY_ENABLED: 'false',
        TDS_API_KEYS: 'viewer:secret123-viewer-key-0123456789',
        TDS_INSTANCE_ID: 'logging-spec-1',
        LOG_LEVEL: 'info',
      },
      { imports: [LoggingProbeModule], logDestination: logs.destination },
    );
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  it('writes JSON lines, Nest framework lines included, tagged with the instance', () => {
    const booted = logs.entries().find((e) => e.msg === 'Nest application successfully started');
    expect(booted).toMatchObject({ level: 'info', context: 'NestApplication', instance: 'logging-spec-1' });
  });

  it('never logs the API key, signature headers or the body, and tags every line with the request id', async () => {
    logs.lines.length = 0;
    const res = await testApp.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: {
        authorization: 'Bearer secret123-viewer-key-0123456789',
        'x-zoho-webhook-signature': 'sig-value-xyz',
        'x-request-id': 'req-abc-1',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-abc-1');
    for (const body of ['{"note":"body-secret-value"}', '{"note":7,"password":"body-secret-value"}']) {
      await testApp.app.inject({
        method: 'POST',
        url: '/probe/logging',
        payload: body,
        headers: { 'content-type': 'application/json', authorization: 'Bearer secret123-viewer-key-0123456789', 'x-request-id': 'req-abc-1' },
      });
    }

    const output = logs.lines.join('');
    expect(output).not.toContain('secret123');
    expect(output).not.toContain('sig-value-xyz');
    expect(output).not.toContain('body-secret-value');
    const requestLines = logs.entries().filter((e) => e.req || e.res);
    expect(requestLines.length).toBeGreaterThanOrEqual(6);
    for (const line of requestLines) expect(line.reqId).toBe('req-abc-1');
  });

  it('replaces a missing or unsafe request id with a UUID and echoes it', async () => {
    for (const headers of [{}, { 'x-request-id': 'has spaces and "quotes"' }, { 'x-request-id': 'x'.repeat(129) }]) {
      logs.lines.length = 0;
      const res = await testApp.app.inject({ method: 'GET', url: '/health/live', headers });
      const id = res.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(logs.entries().filter((e) => e.req).map((e) => e.reqId)).toEqual([id]);
    }
  });
});

describe('createLogger', () => {
  it('masks credential-like headers by name and redacts secret fields', () => {
    const logs = capture();
    const logger = createLogger({ level: 'info', instanceId: 'unit', destination: logs.destination });
    logger.info(
      {
        headers: {
          authorization: 'Bearer a1',
          'x-api-key': 'a2',
          'x-hub-signature-256': 'a3',
          'x-client-secret': 'a4',
          accept: 'application/json',
        },
        user: { name: 'ann', password: 'a5', apiKey: 'a6', secret: 'a7' },
      },
      'something happened',
    );
    const [entry] = logs.entries();
    expect(entry.headers).toEqual({
      authorization: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'x-hub-signature-256': '[REDACTED]',
      'x-client-secret': '[REDACTED]',
      accept: 'application/json',
    });
    expect(entry.user).toEqual({ name: 'ann', password: '[REDACTED]', apiKey: '[REDACTED]', secret: '[REDACTED]' });
  });
});

describe('PinoLoggerService', () => {
  it("maps Nest's (message, stack?, context?) calls onto pino fields", () => {
    const logs = capture();
    const service = new PinoLoggerService(createLogger({ level: 'trace', instanceId: 'unit', destination: logs.destination }));
    Logger.overrideLogger(service);
    try {
      const logger = new Logger('Probe');
      logger.log('plain');
      logger.warn({ queued: 3 });
      logger.error('failed', 'Error: failed\n    at somewhere (file.ts:1:1)');
      logger.error(new Error('thrown'));
      logger.verbose('chatty');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(logs.entries().map(({ level, msg, context, queued, stack, err }) => ({ level, msg, context, queued, stack, err: (err as { message?: string })?.message }))).toEqual([
      { level: 'info', msg: 'plain', context: 'Probe', queued: undefined, stack: undefined, err: undefined },
      { level: 'warn', msg: undefined, context: 'Probe', queued: 3, stack: undefined, err: undefined },
      { level: 'error', msg: 'failed', context: 'Probe', queued: undefined, stack: 'Error: failed\n    at somewhere (file.ts:1:1)', err: undefined },
      { level: 'error', msg: 'thrown', context: 'Probe', queued: undefined, stack: undefined, err: 'thrown' },
      { level: 'trace', msg: 'chatty', context: 'Probe', queued: undefined, stack: undefined, err: undefined },
    ]);
  });
});
