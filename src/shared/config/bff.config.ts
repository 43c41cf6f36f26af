import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

/**
 * How long the BFF's cached reads live, per group. Events invalidate them as soon as TDS has
 * committed a change; the TTL bounds staleness when an invalidation is lost, and what changes
 * without an event (metric buckets filling up, ages growing).
 */
class BffEnv {
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_DASHBOARD_TTL_MS: number = 30_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_SYNC_RUNS_TTL_MS: number = 30_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_ALERTS_TTL_MS: number = 30_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_ENTITIES_TTL_MS: number = 60_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_DEAD_LETTERS_TTL_MS: number = 60_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(3_600_000) TDS_BFF_THROUGHPUT_TTL_MS: number = 60_000;
}

export function loadBffConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = validateConfig(BffEnv, env);
  return {
    ttlMs: {
      dashboard: e.TDS_BFF_DASHBOARD_TTL_MS,
      runs: e.TDS_BFF_SYNC_RUNS_TTL_MS,
      alerts: e.TDS_BFF_ALERTS_TTL_MS,
      entities: e.TDS_BFF_ENTITIES_TTL_MS,
      deadLetters: e.TDS_BFF_DEAD_LETTERS_TTL_MS,
      throughput: e.TDS_BFF_THROUGHPUT_TTL_MS,
    },
  };
}

export const bffConfig = registerAs('bff', () => loadBffConfig());
export type BffConfig = ReturnType<typeof loadBffConfig>;
/** The BFF's groups of cached reads: each is dropped as a whole (see BffCache). */
export type BffCacheGroup = keyof BffConfig['ttlMs'];
