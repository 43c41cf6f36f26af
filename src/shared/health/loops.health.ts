import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { HealthConfig } from '../config/health.config.js';
import { LivenessRegistry } from './liveness.registry.js';

/**
 * One readiness entry per registered background service. A service whose loops never started
 * (disabled by configuration: an API-only instance) is up with `state: 'disabled'`, so it does
 * not take the instance out of rotation; one that stopped (shutting down) or has a stalled loop
 * is down. Loop ids name an instance and a loop number, nothing secret, so they are reported.
 */
@Injectable()
export class LoopsHealthIndicator {
  private readonly stallAfterMs: number;

  constructor(
    config: ConfigService,
    private readonly registry: LivenessRegistry,
    private readonly health: HealthIndicatorService,
  ) {
    this.stallAfterMs = config.getOrThrow<HealthConfig>('health').loopStallMs;
  }

  check(): HealthIndicatorResult {
    const results: HealthIndicatorResult = {};
    for (const [name, source] of this.registry.entries()) {
      const indicator = this.health.check(name);
      const { state, stalledLoops } = source.liveness(this.stallAfterMs);
      if (state === 'idle') Object.assign(results, indicator.up({ state: 'disabled' }));
      else if (state === 'stopped') Object.assign(results, indicator.down({ message: 'stopped' }));
      else if (stalledLoops.length > 0) Object.assign(results, indicator.down({ message: 'stalled', stalledLoops }));
      else Object.assign(results, indicator.up());
    }
    return results;
  }
}
