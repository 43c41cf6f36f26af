import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppCache } from '../cache/app-cache.js';

@Injectable()
export class CacheHealthIndicator {
  private readonly logger = new Logger(CacheHealthIndicator.name);

  constructor(
    private readonly cache: AppCache,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Bounded by AppCache (a PING that does not answer in time counts as down). */
  async check(key = 'cache') {
    const indicator = this.health.check(key);
    const readiness = await this.cache.readiness();
    if (readiness.up) return indicator.up();
    // The probe is public: the reason goes to the log, not into the response.
    this.logger.warn(`cache (${readiness.store}) unavailable: ${readiness.reason ?? 'no reason given'}`);
    return indicator.down({ message: 'cache unavailable' });
  }
}
