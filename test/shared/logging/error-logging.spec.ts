import 'reflect-metadata';
import { Controller, HttpCode, Logger, Module, Post } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { Public } from '../../../src/shared/auth/auth.decorators.js';
import { createLogger } from '../../../src/shared/logging/create-logger.js';
import { serializeError } from '../../../src/shared/logging/error-serializer.js';
import { PinoLoggerService } from '../../../src/shared/logging/pino-logger.service.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';

/** Stands for customer data bound to a statement: it must appear in no log line. */
const SECRET = 'customer-secret-7f3a9c';
const CHECKED_INSERT = 'INSERT INTO probe_checked (v) VALUES ($1)';
const JSON_CAST = 'SELECT $1::jsonb AS doc';

@Public()
@Controller('probe/errors')
class ErrorProbeController {
  constructor(private readonly dataSource: DataSource) {}

  /** PostgreSQL quotes the failing row in `detail`: `Failing row contains (…)`. */
  @Post('check-violation')
  @HttpCode(204)
  async checkViolation(): Promise<void> {
    await this.dataSource.query(CHECKED_INSERT, [`${SECRET} ${'x'.repeat(1000)}`]);
  }

  /** …and the JSON text in `where`: `JSON data, line 1: …`. */
  @Post('bad-json')
  @HttpCode(204)
  async badJson(): Promise<void> {
    await this.dataSource.query(JSON_CAST, [`{"note": "${SECRET}", `]);
  }
}

@Module({ controllers: [ErrorProbeController] })
class ErrorProbeModule {}

function capture() {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(line) },
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
  };
}

/** Whatever reaches the console meanwhile (TypeORM's own logger writes there, not to pino). */
function spyOnConsole() {
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => jest.spyOn(console, method).mockImplementation(() => undefined));
  return {
    text: () => spies.flatMap((spy) => spy.mock.calls.map((call) => call.map(String).join(' '))).join('\n'),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

describeEachBackend('a failing statement in the error log', (backend) => {
  let testApp: TestApp;
  const logs = capture();

  beforeAll(async () => {
    testApp = await createTestApp(
      { ...backend.env, TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false', TDS_API_KEYS: 'viewer:error-logging-viewer-key-0123', LOG_LEVEL: 'info' },
      { imports: [ErrorProbeModule], logDestination: logs.destination },
    );
    await testApp.app.get(DataSource).query(`CREATE TABLE probe_checked (v text CHECK (v = 'ok'))`);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it.each([
    ['a check violation', '/probe/errors/check-violation', CHECKED_INSERT, '23514'],
    ['a malformed JSON parameter', '/probe/errors/bad-json', JSON_CAST, '22P02'],
  ])('%s: a 500 whose log line keeps the SQL and the SQLSTATE, never the bound values', async (_name, url, sql, code) => {
    logs.lines.length = 0;
    const consoleOutput = spyOnConsole();
    let res;
    try {
      res = await testApp.app.inject({ method: 'POST', url });
    } finally {
      consoleOutput.restore();
    }
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });

    const failure = logs.entries().find((entry) => entry.msg === 'request failed with an unexpected error');
    expect(failure?.err).toMatchObject({ type: 'QueryFailedError', code, query: sql, message: expect.any(String), stack: expect.any(String) });
    expect(failure?.err).not.toHaveProperty('parameters');
    expect(failure?.err).not.toHaveProperty('detail');
    expect(failure?.err).not.toHaveProperty('where');
    expect(failure?.err).not.toHaveProperty('driverError');
    expect(logs.lines.join('')).not.toContain(SECRET);
    expect(consoleOutput.text()).not.toContain(SECRET);
  });
});

/** A QueryFailedError as TypeORM builds it from a pg error: the driver's fields copied onto it. */
function queryFailed(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "products_sku_key"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (sku)=(${SECRET}) already exists.`,
    where: `SQL statement "INSERT INTO products VALUES ('${SECRET}')"`,
    internalQuery: `INSERT INTO products VALUES ('${SECRET}')`,
    schema: 'public',
    table: 'products',
    constraint: 'products_sku_key',
    params: [SECRET],
  });
  return new QueryFailedError('INSERT INTO products (sku) VALUES ($1)', [SECRET], driverError);
}

describe('serializeError', () => {
  it('keeps what identifies the failure and drops everything that quotes the data', () => {
    const serialized = serializeError(queryFailed()) as Record<string, unknown>;
    expect(serialized).toEqual({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "products_sku_key"',
      stack: expect.stringContaining('QueryFailedError'),
      code: '23505',
      query: 'INSERT INTO products (sku) VALUES ($1)',
      severity: 'ERROR',
      schema: 'public',
      table: 'products',
      constraint: 'products_sku_key',
    });
  });

  it('applies the same rule to causes and to the errors of an AggregateError', () => {
    const wrapped = new Error('the batch failed', { cause: queryFailed() });
    const refused = new AggregateError([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', port: 5432 })], 'connection failed');
    const serialized = serializeError(wrapped) as Record<string, any>;
    expect(serialized.cause).toMatchObject({ type: 'QueryFailedError', code: '23505', query: 'INSERT INTO products (sku) VALUES ($1)' });
    expect(JSON.stringify(serialized)).not.toContain(SECRET);
    expect((serializeError(refused) as Record<string, any>).errors).toEqual([
      expect.objectContaining({ message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED', port: 5432 }),
    ]);
  });

  it('leaves what is not an error as it is', () => {
    expect(serializeError('just text')).toBe('just text');
    expect(serializeError(undefined)).toBeUndefined();
  });
});

describe("Nest's logger", () => {
  it('logs an error handed to it beside the message (as @nestjs/cqrs does) through the same serializer', () => {
    const logs = capture();
    Logger.overrideLogger(new PinoLoggerService(createLogger({ level: 'info', instanceId: 'unit', destination: logs.destination })));
    try {
      new Logger('EventBus').error('"InventoryCatalogueReaction" has thrown an unhandled exception.', queryFailed());
      Logger.error('a static call without a context', queryFailed());
    } finally {
      Logger.overrideLogger(false);
    }
    const entries = logs.entries();
    expect(entries.map(({ context, msg, err }) => ({ context, msg, code: err?.code, query: err?.query }))).toEqual([
      { context: 'EventBus', msg: '"InventoryCatalogueReaction" has thrown an unhandled exception.', code: '23505', query: 'INSERT INTO products (sku) VALUES ($1)' },
      { context: undefined, msg: 'a static call without a context', code: '23505', query: 'INSERT INTO products (sku) VALUES ($1)' },
    ]);
    expect(logs.lines.join('')).not.toContain(SECRET);
  });
});
