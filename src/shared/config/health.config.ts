import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

class HealthEnv {
  /**
   * A background loop (queue worker, outbox relay) whose step has run this long, or that is this
   * late waking up, makes the instance unready. Well above a slow batch (seconds), well below
   * what an operator would tolerate a silently stuck worker holding its row locks.
   */
  @Type(() => Number) @IsInt() @Min(10) TDS_LOOP_STALL_MS: number = 60_000;
}

export const healthConfig = registerAs('health', () => {
  const env = validateConfig(HealthEnv);
  return { loopStallMs: env.TDS_LOOP_STALL_MS };
});
export type HealthConfig = ReturnType<typeof healthConfig>;
