import helmet from '@fastify/helmet';
import type { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule, CONFIG_NAMESPACES } from './app.module.js';
import { appConfig, type AppConfig } from './shared/config/app.config.js';
import { roleConfig, type RoleConfig } from './shared/config/role.config.js';
import { DomainError } from './shared/errors/domain-error.js';
import { codeForStatus, errorBody } from './shared/errors/error-response.js';
import { ApiKeyService } from './shared/auth/api-key.service.js';
import { authorize } from './shared/auth/api-key.guard.js';
import { ROUTE_ACCESS, type RouteAccess } from './shared/auth/auth.decorators.js';
import { BodyGates } from './shared/http/body-gates.js';
import { BULK_BODY_LIMIT } from './shared/http/bulk-body-limit.decorator.js';
import { serveDashboardPage } from './shared/http/dashboard-page.js';
import { routeConfigEntry } from './shared/http/route-config.js';
import { serverTimeouts } from './shared/http/server-timeouts.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './shared/json/json-depth.js';
import { createLogger } from './shared/logging/create-logger.js';
import { PinoLoggerService } from './shared/logging/pino-logger.service.js';
import { genReqId, REQUEST_ID_HEADER } from './shared/logging/request-id.js';

export interface CreateAppOptions {
  /** Where log lines go; stdout when absent. */
  logDestination?: DestinationStream;
  /** Modules mounted beside AppModule's own; tests use it to add probe controllers. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Builds the application exactly as production runs it, without listening: main.ts listens,
 * tests call `init()` and talk to it in process.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // A bad variable stops boot here, before any module has opened a connection it would leak.
  for (const load of CONFIG_NAMESPACES) load();
  // Needed before Nest exists: the logger and the body limit are fixed when Fastify is created.
  const config = appConfig();
  const roles = roleConfig();
  const logger = createLogger({
    level: config.logLevel,
    instanceId: config.instanceId,
    destination: options.logDestination,
  });
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId,
    bodyLimit: config.bodyLimitBytes,
    // A record id may be 200 characters (GET …/entities/:entityType/:sourceEntityId), each up to
    // 4 UTF-8 bytes of 3 characters when percent-encoded; Fastify's default of 100 answers 414.
    routerOptions: { maxParamLength: 2400 },
    ...serverTimeouts(config),
    // Fastify answers a few malformed requests (undecodable URLs) before any handler or hook.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      void reply
        .status(status)
        .header(REQUEST_ID_HEADER, request.id)
        .send(errorBody(status, codeForStatus(status), 'The request URL is malformed'));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    { module: AppModule, imports: options.imports ?? [] },
    adapter,
    // Our logger from the first line on, so even boot failures are JSON; errors are thrown, not aborted.
    { rawBody: true, logger: new PinoLoggerService(logger), abortOnError: false },
  );
  try {
    await configureHttp(app, config, roles);
    if (roles.api) {
      serveDashboardPage(app);
      setUpSwagger(app);
    }
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

/** What an instance without the api role still answers: probes and scrapes. */
const servedWithoutApi = (url: string) => {
  const path = url.split('?', 1)[0];
  return path === '/metrics' || path === '/health' || path.startsWith('/health/');
};

async function configureHttp(app: NestFastifyApplication, config: AppConfig, roles: RoleConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;

  const apiKeys = app.get(ApiKeyService);
  const noApiMessage = `This instance runs as ${roles.roles.join(',')}: it serves /health and /metrics only`;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    // The controllers are the same in every role; an instance without the api role refuses
    // their routes before anything else (a load balancer sends API traffic to api instances).
    if (!roles.api && !servedWithoutApi(request.url)) return done(new DomainError('ROUTE.NOT_SERVED', 404, noApiMessage));
    // The cheapest refusal first: a caller without the route's key is answered before a byte
    // of its body is read (ApiKeyGuard decides again after parsing, for every route).
    const access = routeConfigEntry<RouteAccess>(request, ROUTE_ACCESS);
    try {
      if (access && !access.public) request.principal = authorize(apiKeys, request.headers.authorization, access.minRole);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
  fastify.addHook('onRoute', (route) => {
    if ((route.config as Record<string, unknown> | undefined)?.[BULK_BODY_LIMIT]) {
      route.bodyLimit = config.bulkBodyLimitBytes;
    }
  });

  // JSON only: anything else is a 415, not a string handed to a DTO. Our own JSON parser so a
  // syntax error keeps its machine code; Nest would turn Fastify's into a plain 400.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const gates = app.get(BodyGates);
  app.useBodyParser('application/json', { bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    const raw = body as unknown as Buffer;
    try {
      // Before parsing: a route's gate (a webhook's signature over the raw bytes) and the depth limit.
      gates.check(request as FastifyRequest, raw);
    } catch (error) {
      return done(error as Error, undefined);
    }
    // Action routes take no body; clients often still send the JSON content type with nothing.
    if (raw.length === 0) return done(null, undefined);
    if (exceedsJsonDepth(raw)) {
      return done(new DomainError('JSON_TOO_DEEP', 400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    parseJson(request as FastifyRequest, raw as unknown as string, (error, value) => {
      if (error) done(new DomainError('MALFORMED_JSON', 400, 'The request body is not valid JSON'), undefined);
      else done(null, value);
    });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        // Swagger UI's page carries inline styles and, by default, the validator badge image.
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https://validator.swagger.io'],
        scriptSrc: ["'self'"],
      },
    },
  });
}

function setUpSwagger(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('TDS — TSH Data Sync')
      .setDescription('Keeps the company database in step with Zoho. Authenticate with Authorization: Bearer <api key>.')
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  // Served by Fastify directly, outside Nest's controllers, so the API key guard never sees it.
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
