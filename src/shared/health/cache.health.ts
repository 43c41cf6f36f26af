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
    return (await this.probe()) ? indicator.up() : indicator.down({ message: 'cache unavailable' });
  }

  /**
   * For readiness: a cache that is down leaves the instance ready, reported degraded. Every read
   * falls back to the database, and all instances share one Redis: failing readiness would take
   * every one of them out of rotation at once and turn a cache outage into a full one.
   */
  async checkForReadiness(key = 'cache') {
    const indicator = this.health.check(key);
    return (await this.probe()) ? indicator.up() : indicator.up({ state: 'degraded', message: 'cache unavailable: reads go to the database' });
  }

  private async probe(): Promise<boolean> {
    const readiness = await this.cache.readiness();
    if (readiness.up) return true;
    // The probe is public: the reason goes to the log, not into the response.
    this.logger.warn(`cache (${readiness.store}) unavailable: ${readiness.reason ?? 'no reason given'}`);
    return false;
  }
}
