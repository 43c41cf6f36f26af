import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { instanceRoles } from './role.config.js';
import { EnvBoolean, validateConfig } from './validate-config.js';

class OutboxEnv {
  @EnvBoolean() @IsBoolean() TDS_OUTBOX_RELAY_ENABLED: boolean = true;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) TDS_OUTBOX_BATCH_SIZE: number = 2000;
  @Type(() => Number) @IsInt() @Min(10) TDS_OUTBOX_POLL_INTERVAL_MS: number = 1000;
}

export const outboxConfig = registerAs('outbox', () => {
  const env = validateConfig(OutboxEnv);
  return {
    relayEnabled: env.TDS_OUTBOX_RELAY_ENABLED && instanceRoles().has('worker'),
    batchSize: env.TDS_OUTBOX_BATCH_SIZE,
    pollIntervalMs: env.TDS_OUTBOX_POLL_INTERVAL_MS,
  };
});
export type OutboxConfig = ReturnType<typeof outboxConfig>;
