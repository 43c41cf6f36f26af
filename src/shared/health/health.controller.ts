import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ConfigService } from '@nestjs/config';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { RoleConfig } from '../config/role.config.js';
import { Public } from '../auth/auth.decorators.js';
import { CacheHealthIndicator } from './cache.health.js';
import { DatabaseHealthIndicator } from './database.health.js';
import { LoopsHealthIndicator } from './loops.health.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly roles: RoleConfig['roles'];

  constructor(
    config: ConfigService,
    private readonly indicators: HealthIndicatorService,
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly cache: CacheHealthIndicator,
    private readonly loops: LoopsHealthIndicator,
  ) {
    this.roles = config.getOrThrow<RoleConfig>('role').roles;
  }

  /** Answers as long as the event loop does; dependencies are readiness's concern. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** The instance's roles, dependencies, and the background loops it runs (queue workers, outbox relay). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.role(), () => this.database.ping(), () => this.cache.checkForReadiness(), () => this.loops.check()]);
  }

  private role(): HealthIndicatorResult {
    return this.indicators.check('role').up({ roles: this.roles });
  }
}
