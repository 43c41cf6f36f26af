import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { instanceRoles } from './role.config.js';
import { EnvBoolean, validateConfig } from './validate-config.js';

/**
 * Pull runs (sources/pull): how an instance takes part, how long a lease lasts, how far an
 * incremental run reaches back, and the schedule of incremental runs per entity type.
 */
class PullEnv {
  /** Off: this instance holds no pull runs (it may still start them); the others run them. */
  @EnvBoolean() @IsBoolean() TDS_PULL_ENABLED: boolean = true;
  /** Pull runs one instance holds at once (each fetches one page at a time). */
  @Type(() => Number) @IsInt() @Min(1) @Max(32) TDS_PULL_CONCURRENCY: number = 2;
  /**
   * How long a lease lasts without renewal. The holder renews it every third of that; a holder
   * that stops (paused, partitioned, killed) loses the run to another instance this long after its
   * last renewal.
   */
  @Type(() => Number) @IsInt() @Min(1000) @Max(600_000) TDS_PULL_LEASE_MS: number = 30_000;
  /** How often an idle instance looks for a run to take (a new run also wakes it at once). */
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) TDS_PULL_POLL_MS: number = 2000;
  /**
   * How far before its cursor an incremental run starts: Zoho stamps a record when the edit
   * begins, so one committed late can carry a time older than the newest already seen.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(86_400) TDS_PULL_OVERLAP_S: number = 60;
  /** A page that comes back broken (not JSON, truncated) is fetched again this many times before the run fails. */
  @Type(() => Number) @IsInt() @Min(0) @Max(20) TDS_PULL_PAGE_RETRIES: number = 3;
  /** First wait before fetching a page again; doubles each time, at most 30 s. */
  @Type(() => Number) @IsInt() @Min(1) @Max(60_000) TDS_PULL_RETRY_BASE_MS: number = 1000;
  /** How long a run waits out an unavailable source (5xx, the circuit breaker open) before it fails. */
  @Type(() => Number) @IsInt() @Min(1) @Max(86_400) TDS_PULL_MAX_PAUSE_S: number = 900;
  /** Queue priority of pulled records: below webhook deliveries (5), so a backfill never delays live edits. */
  @Type(() => Number) @IsInt() @Min(1) @Max(10) TDS_PULL_PRIORITY: number = 3;
  /**
   * Incremental runs on a schedule, for every configured account: `entity_type:seconds` pairs,
   * comma-separated; empty for none.
   */
  @IsOptional() @IsString() TDS_PULL_SCHEDULE: string = 'product:300,customer:900,invoice:600,sales_order:600,price_list:3600';
}

const SCHEDULE_ENTRY = /^([a-z_]+):(\d+)$/;

function schedule(text: string): { entityType: string; intervalSeconds: number }[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const seen = new Set<string>();
  return entries.map((entry) => {
    const match = SCHEDULE_ENTRY.exec(entry);
    const intervalSeconds = match ? Number(match[2]) : NaN;
    if (!match || intervalSeconds < 10 || intervalSeconds > 86_400) {
      throw new Error(`Invalid configuration:\n  TDS_PULL_SCHEDULE: "${entry}" must be entity_type:seconds with 10..86400 seconds`);
    }
    if (seen.has(match[1])) throw new Error(`Invalid configuration:\n  TDS_PULL_SCHEDULE: ${match[1]} is listed twice`);
    seen.add(match[1]);
    return { entityType: match[1], intervalSeconds };
  });
}

export function loadPullConfig(source: NodeJS.ProcessEnv = process.env) {
  const env = validateConfig(PullEnv, source);
  return {
    enabled: env.TDS_PULL_ENABLED && instanceRoles().has('worker'),
    concurrency: env.TDS_PULL_CONCURRENCY,
    leaseMs: env.TDS_PULL_LEASE_MS,
    pollMs: env.TDS_PULL_POLL_MS,
    overlapSeconds: env.TDS_PULL_OVERLAP_S,
    pageRetries: env.TDS_PULL_PAGE_RETRIES,
    retryBaseMs: env.TDS_PULL_RETRY_BASE_MS,
    maxPauseMs: env.TDS_PULL_MAX_PAUSE_S * 1000,
    priority: env.TDS_PULL_PRIORITY,
    // An explicitly empty variable means no schedule, not the default one.
    schedule: schedule(source.TDS_PULL_SCHEDULE === '' ? '' : env.TDS_PULL_SCHEDULE),
  };
}

export const pullConfig = registerAs('pull', () => loadPullConfig());
export type PullConfig = ReturnType<typeof loadPullConfig>;
