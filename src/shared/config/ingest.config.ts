import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

/**
 * Group commit of webhook deliveries (the InboxWriter): deliveries arriving within one window
 * share one transaction, so one commit (one WAL flush) serves many. The window is added to
 * every delivery's latency; a group that reaches the maximum is written at once, if one of
 * the groups-in-flight slots (each a pooled connection) is free.
 */
class IngestEnv {
  @Type(() => Number) @IsInt() @Min(0) @Max(1000) TDS_INGEST_GROUP_WINDOW_MS: number = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) TDS_INGEST_GROUP_MAX: number = 200;
  @Type(() => Number) @IsInt() @Min(1) @Max(64) TDS_INGEST_GROUPS_IN_FLIGHT: number = 2;
}

export const ingestConfig = registerAs('ingest', () => {
  const env = validateConfig(IngestEnv);
  return {
    groupWindowMs: env.TDS_INGEST_GROUP_WINDOW_MS,
    groupMax: env.TDS_INGEST_GROUP_MAX,
    groupsInFlight: env.TDS_INGEST_GROUPS_IN_FLIGHT,
  };
});
export type IngestConfig = ReturnType<typeof ingestConfig>;
