import { hostname } from 'node:os';
import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

const REDIS_URL = /^rediss?:\/\/\S+$/;
const REDIS_URL_MESSAGE = 'must be a redis:// or rediss:// URL';

class CacheEnv {
  /** Set: one Redis store shared by every instance. Unset: an in-memory store per instance. */
  @IsOptional() @Matches(REDIS_URL, { message: REDIS_URL_MESSAGE }) REDIS_URL?: string = undefined;
  /** Zero would mean "never expires" to Keyv, and the TTL is the backstop for a lost invalidation. */
  @Type(() => Number) @IsInt() @Min(1) @Max(86_400_000) TDS_CACHE_TTL_MS: number = 60_000;
  /** No ':' so that the namespace cannot run into the `<namespace>::<key>` separator. */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 _ . -' })
  TDS_CACHE_NAMESPACE: string = 'tds';
  /** Validated by the app config; here it names the Redis connection (see clientName). */
  @IsOptional() @IsString() TDS_INSTANCE_ID?: string = undefined;
}

export type CacheStoreKind = 'memory' | 'redis';

export interface CacheConfig {
  store: CacheStoreKind;
  /** Redis only. May carry a password: log `redactRedisUrl(url)`, never the URL. */
  redisUrl?: string;
  ttlMs: number;
  namespace: string;
  /** Redis CLIENT SETNAME: `tds/<instance id>`, so CLIENT LIST shows which instance a connection is. */
  clientName: string;
}

/** Reads the cache settings; also used outside Nest (tests). */
export function loadCacheConfig(env: NodeJS.ProcessEnv = process.env): CacheConfig {
  const e = validateConfig(CacheEnv, env);
  if (e.REDIS_URL !== undefined && !parsesAsUrl(e.REDIS_URL)) {
    // Like validateConfig, the message names the variable and not its value.
    throw new Error(`Invalid configuration:\n  REDIS_URL: ${REDIS_URL_MESSAGE}`);
  }
  return {
    store: e.REDIS_URL ? 'redis' : 'memory',
    redisUrl: e.REDIS_URL,
    ttlMs: e.TDS_CACHE_TTL_MS,
    namespace: e.TDS_CACHE_NAMESPACE,
    clientName: `tds/${e.TDS_INSTANCE_ID ?? `${hostname()}-${process.pid}`}`,
  };
}

export const cacheConfig = registerAs('cache', (): CacheConfig => loadCacheConfig());

/** `redis://user:***@host:port/db`: what a log line may say about the Redis URL. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}

function parsesAsUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
