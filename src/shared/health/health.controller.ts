import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators.js';
import { CacheHealthIndicator } from './cache.health.js';
import { DatabaseHealthIndicator } from './database.health.js';
import { LoopsHealthIndicator } from './loops.health.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
    private readonly loops: LoopsHealthIndicator,
  ) {}

  /** Answers as long as the event loop does; dependencies are readiness's concern. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Dependencies, and the background loops this instance runs (queue workers, outbox relay). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database.ping(), () => this.cache.check(), () => this.loops.check()]);
  }
}
