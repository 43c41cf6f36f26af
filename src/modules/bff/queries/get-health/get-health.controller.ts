import { Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { CacheHealthIndicator } from '../../../../shared/health/cache.health.js';
import { DatabaseHealthIndicator } from '../../../../shared/health/database.health.js';
import { BffController } from '../../http/bff-routes.js';
import { NoQueryParamsPipe } from '../../http/no-query-params.pipe.js';
import { bffHealthStatus, BffHealthDto } from './get-health.dto.js';
import type { Dependency } from './get-health.dto.js';

@BffController({ public: true })
export class BffGetHealthController {
  constructor(
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
  ) {}

  /**
   * The readiness probe's own checks (a bounded SELECT 1, a Redis PING), never cached: a cached
   * "up" would hide the outage it is asked about. The reply is sent here because its status
   * depends on the answer, which a route's fixed @HttpCode cannot say.
   */
  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Cheap status for the app: database and cache, no API key needed' })
  @ApiResponse({ status: 200, type: BffHealthDto, description: 'ok, or degraded when the cache is down' })
  @ApiResponse({ status: 503, type: BffHealthDto, description: 'down: the database does not answer' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: a query parameter (this route takes none)' })
  async get(@Query(NoQueryParamsPipe) _query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const [database, cache] = await Promise.all([this.database.ping('database'), this.cache.check('cache')]);
    const state = (result: Record<string, { status: string }>, key: string): Dependency => (result[key]?.status === 'up' ? 'up' : 'down');
    const body: BffHealthDto = {
      status: bffHealthStatus(state(database, 'database'), state(cache, 'cache')),
      database: state(database, 'database'),
      cache: state(cache, 'cache'),
      checkedAt: new Date().toISOString(),
    };
    await reply.status(body.status === 'down' ? 503 : 200).send(body);
  }
}
