import 'reflect-metadata';
import { Body, Controller, Get, Module, NotFoundException, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../src/shared/auth/auth.decorators.js';
import { ConflictError } from '../../../src/shared/errors/domain-error.js';
import { BulkBodyLimit } from '../../../src/shared/http/bulk-body-limit.decorator.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';

class Part {
  @IsString() sku!: string;
}

class ThingDto {
  @IsString() name!: string;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Part) parts?: Part[];
}

class BlobDto {
  @IsString() blob!: string;
}

const SECRET_DETAIL = 'password=hunter2 host=10.0.0.5';

@Public()
@Controller('probe/errors')
class ErrorsProbeController {
  @Post('json')
  json(@Body() dto: ThingDto, @Req() req: RawBodyRequest<FastifyRequest>) {
    return { name: dto.name, isDto: dto instanceof ThingDto, rawBytes: req.rawBody?.length };
  }

  @Post('bulk')
  @BulkBodyLimit()
  bulk(@Body() dto: BlobDto) {
    return { length: dto.blob.length };
  }

  @Get('boom')
  boom(): never {
    throw new Error(SECRET_DETAIL);
  }

  @Get('conflict')
  conflict(): never {
    throw new ConflictError('PROBE.ALREADY_THERE', 'The thing already exists', { id: 7 });
  }

  @Get('nest-exception')
  nestException(): never {
    throw new NotFoundException('No such thing');
  }
}

@Module({ controllers: [ErrorsProbeController] })
class ErrorsProbeModule {}

const MiB = 1024 * 1024;

// On PostgreSQL only because the app boots in a fraction of a second there (PGlite: ~10 s).
describePostgres('HTTP errors', () => {
  let db: TestDatabase;
  let testApp: TestApp;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    testApp = await createTestApp(
      {
        DATABASE_URL: db.url,
        TDS_WORKERS_ENABLED: 'false',
        TDS_OUTBOX_RELAY_ENABLED: 'false',
        TDS_API_KEYS: 'viewer:errors-spec-viewer-key-0123',
        TDS_BODY_LIMIT_BYTES: String(2 * MiB),
        LOG_LEVEL: 'info',
      },
      { imports: [ErrorsProbeModule], logDestination: { write: (line: string) => void logLines.push(line) } },
    );
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => testApp.app.inject(opts);
  const post = (url: string, payload: string | Buffer, contentType = 'application/json') =>
    inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  it('accepts a valid JSON body, transforms it to the DTO and keeps the raw body', async () => {
    const res = await post('/probe/errors/json', '{"name":"a"}');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'a', isDto: true, rawBytes: 12 });
  });

  it.each([
    ['truncated JSON', '{"name":'],
    ['a prototype-poisoning key', '{"__proto__":{"admin":true},"name":"a"}'],
  ])('answers %s with 400 MALFORMED_JSON', async (_label, body) => {
    const res = await post('/probe/errors/json', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, error: 'MALFORMED_JSON', message: 'The request body is not valid JSON' });
  });

  it('takes an empty JSON body as no body: a route that needs one answers 422, not 400 or 500', async () => {
    const res = await post('/probe/errors/json', '');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED' });
  });

  it('answers a body over the default limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post('/probe/errors/json', JSON.stringify({ name: 'x'.repeat(1.5 * MiB) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ statusCode: 413, error: 'PAYLOAD_TOO_LARGE' });
  });

  it('lets a @BulkBodyLimit() route take bodies up to TDS_BODY_LIMIT_BYTES, and no more', async () => {
    const ok = await post('/probe/errors/bulk', JSON.stringify({ blob: 'x'.repeat(1.5 * MiB) }));
    expect(ok.statusCode).toBe(201);
    const tooLarge = await post('/probe/errors/bulk', JSON.stringify({ blob: 'x'.repeat(2.5 * MiB) }));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'answers %s on a JSON route with 415 UNSUPPORTED_MEDIA_TYPE',
    async (contentType) => {
      const res = await post('/probe/errors/json', 'name=a', contentType);
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ statusCode: 415, error: 'UNSUPPORTED_MEDIA_TYPE' });
    },
  );

  it('answers an unknown route with 404 NOT_FOUND in the error shape', async () => {
    const res = await inject({ method: 'GET', url: '/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, error: 'NOT_FOUND', message: 'Cannot GET /no/such/route' });
  });

  it('answers an undecodable URL with 400 in the error shape', async () => {
    const res = await inject({ method: 'GET', url: '/probe/errors/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'BAD_REQUEST' });
  });

  it('answers DTO violations with 422 VALIDATION_FAILED and bracketed paths', async () => {
    const res = await post('/probe/errors/json', JSON.stringify({ name: 1, parts: [{ sku: 'a' }, { sku: 2 }], extra: true }));
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: 422, error: 'VALIDATION_FAILED', message: 'Request validation failed' });
    expect(body.details).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'name must be a string' },
        { path: 'parts[1].sku', message: 'sku must be a string' },
        { path: 'extra', message: 'property extra should not exist' },
      ]),
    );
  });

  it.each(['[]', '"text"', 'null', '42', '{"parts":"nope"}', '{"parts":[null,7]}'])(
    'never answers an odd JSON body (%s) with a 5xx',
    async (body) => {
      const res = await post('/probe/errors/json', body);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json()).toEqual(expect.objectContaining({ statusCode: res.statusCode, error: expect.any(String) }));
    },
  );

  it('answers a DomainError with its own code, status and details', async () => {
    const res = await inject({ method: 'GET', url: '/probe/errors/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      statusCode: 409,
      error: 'PROBE.ALREADY_THERE',
      message: 'The thing already exists',
      details: { id: 7 },
    });
  });

  it("maps Nest's HttpExceptions to a code derived from the status", async () => {
    const res = await inject({ method: 'GET', url: '/probe/errors/nest-exception' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, error: 'NOT_FOUND', message: 'No such thing' });
  });

  it('answers an unexpected exception with 500 INTERNAL_ERROR, logging it but not echoing it', async () => {
    logLines.length = 0;
    const res = await inject({ method: 'GET', url: '/probe/errors/boom', headers: { 'x-request-id': 'boom-1' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });
    expect(res.body).not.toContain('hunter2');
    const logged = logLines.map((line) => JSON.parse(line)).find((entry) => entry.err?.message === SECRET_DETAIL);
    expect(logged).toMatchObject({ level: 'error', reqId: 'boom-1' });
    expect(logged.err.stack).toContain('ErrorsProbeController.boom');
  });
});
