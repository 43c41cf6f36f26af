import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

class ReactionsEnv {
  /** Attempts of a failing reaction to one event before it is given up on (and surfaced). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100) TDS_REACTION_MAX_ATTEMPTS: number = 5;
  @Type(() => Number) @IsInt() @Min(1) TDS_REACTION_BACKOFF_BASE_MS: number = 1000;
  @Type(() => Number) @IsInt() @Min(1) TDS_REACTION_BACKOFF_CAP_MS: number = 300000;
  /** An event dispatched this long ago with neither a receipt nor a pending failure for a reaction is delivered again. */
  @Type(() => Number) @IsInt() @Min(100) TDS_REACTION_REDELIVER_AFTER_MS: number = 30000;
  /** How often this instance looks for due retries and lost deliveries. */
  @Type(() => Number) @IsInt() @Min(50) TDS_REACTION_SWEEP_INTERVAL_MS: number = 5000;
}

export const reactionsConfig = registerAs('reactions', () => {
  const env = validateConfig(ReactionsEnv);
  if (env.TDS_REACTION_BACKOFF_CAP_MS < env.TDS_REACTION_BACKOFF_BASE_MS) {
    throw new Error('Invalid configuration:\n  TDS_REACTION_BACKOFF_CAP_MS: must not be below TDS_REACTION_BACKOFF_BASE_MS');
  }
  return {
    maxAttempts: env.TDS_REACTION_MAX_ATTEMPTS,
    backoffBaseMs: env.TDS_REACTION_BACKOFF_BASE_MS,
    backoffCapMs: env.TDS_REACTION_BACKOFF_CAP_MS,
    redeliverAfterMs: env.TDS_REACTION_REDELIVER_AFTER_MS,
    sweepIntervalMs: env.TDS_REACTION_SWEEP_INTERVAL_MS,
  };
});
export type ReactionsConfig = ReturnType<typeof reactionsConfig>;
