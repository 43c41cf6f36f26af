import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../../src/shared/errors/domain-error.js';
import { toErrorResponse } from '../../../src/shared/errors/error-response.js';
import type { TestApp } from '../../support/create-test-app.js';
import { createTestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres } from '../../support/test-database.js';
import type { TestDatabase } from '../../support/test-database.js';
import { KEYS, appEnv } from '../../modules/tds/enqueue/enqueue-test-kit.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const failed = (code: string) => new QueryFailedError('SELECT $1', ['secret value'], Object.assign(new Error('failed'), { code }));

describe('database errors as HTTP answers', () => {
  it.each(['57014', '55P03', '40001', '40P01', '53300', '57P01', '08006'])('answers SQLSTATE %s (the database is sick, not the request) 503 with Retry-After', (code) => {
    const { body, headers, internal } = toErrorResponse(failed(code));
    expect(body).toMatchObject({ statusCode: 503, error: 'DATABASE.UNAVAILABLE' });
    expect(headers).toEqual({ 'Retry-After': '5' });
    expect(internal).toBe(true);
  });

  it('answers an exhausted pool 503 too', () => {
    expect(toErrorResponse(new Error('timeout exceeded when trying to connect')).body.statusCode).toBe(503);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('answers an unreachable database (%s) 503', (code) => {
    expect(toErrorResponse(Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code })).body).toMatchObject({ statusCode: 503, error: 'DATABASE.UNAVAILABLE' });
  });

  it('answers a connection lost without a code 503, and another codeless error 500', () => {
    expect(toErrorResponse(new Error('Connection terminated unexpectedly')).body.statusCode).toBe(503);
    expect(toErrorResponse(new Error('Connection terminated')).body.statusCode).toBe(503);
    expect(toErrorResponse(new Error('something else broke')).body.statusCode).toBe(500);
  });

  it('keeps a bug a 500: a constraint violation, a syntax error', () => {
    for (const code of ['23505', '42601', '22P02']) expect(toErrorResponse(failed(code)).body).toMatchObject({ statusCode: 500, error: 'INTERNAL_ERROR' });
  });

  it('does not log an expected 503 refusal as an unexpected error, and still logs other 5xx', () => {
    expect(toErrorResponse(new DomainError('INBOX.BUSY', 503, 'busy')).internal).toBe(false);
    expect(toErrorResponse(new DomainError('X.BROKEN', 502, 'broken')).internal).toBe(true);
  });
});

describePostgres('a statement over DATABASE_STATEMENT_TIMEOUT_MS', () => {
  let database: TestDatabase;
  let testApp: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({ ...appEnv, DATABASE_URL: database.url, DATABASE_STATEMENT_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it('is answered 503 DATABASE.UNAVAILABLE, not 500, and the next request succeeds', async () => {
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE tds_sync_queue IN ACCESS EXCLUSIVE MODE');
      const res = await testApp.app.inject({ method: 'GET', url: '/api/tds/queue/stats', headers: { authorization: `Bearer ${KEYS.viewer}` } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: 'DATABASE.UNAVAILABLE' });
      expect(res.headers['retry-after']).toBe('5');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    const res = await testApp.app.inject({ method: 'GET', url: '/api/tds/queue/stats', headers: { authorization: `Bearer ${KEYS.viewer}` } });
    expect(res.statusCode).toBe(200);
  });
});

describePostgres('a database that went away', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let testApp: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await TcpProxy.start(database.url);
    testApp = await createTestApp({ ...appEnv, DATABASE_URL: proxy.url(database.url), DATABASE_CONNECT_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await testApp?.close().catch(() => undefined);
    await database?.drop();
  });

  it('is answered 503 DATABASE.UNAVAILABLE on reads, and health says down', async () => {
    const get = (url: string) => testApp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${KEYS.viewer}` } });
    expect((await get('/api/tds/queue/stats')).statusCode).toBe(200);
    // Every pooled connection cut and the port closed: reconnects are refused.
    await proxy.close();
    for (const url of ['/api/tds/queue/stats', '/api/tds/sync-runs', '/api/bff/tds/sync-runs', '/api/bff/tds/entities']) {
      const res = await get(url);
      expect({ url, status: res.statusCode, error: res.json().error }).toEqual({ url, status: 503, error: 'DATABASE.UNAVAILABLE' });
    }
    const health = await get('/api/bff/tds/health');
    expect({ status: health.statusCode, body: health.json() }).toMatchObject({ status: 503, body: { status: 'down', database: 'down' } });
  });
});
