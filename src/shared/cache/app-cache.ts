import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { ConfigService } from '@nestjs/config';
import type { Cache } from 'cache-manager';
import type { CacheConfig } from '../config/cache.config.js';
import { DbNotifier } from '../database/db-notifier.js';
import { CacheBackend, withTimeout } from './cache-backend.js';
import type { CacheReadiness } from './cache-backend.js';
import {
  CACHE_INVALIDATION_CHANNEL,
  decodeInvalidation,
  encodeInvalidations,
  MAX_KEY_LENGTH,
} from './invalidation-message.js';
import { ThrottledWarning } from './throttled-warning.js';

export type { CacheReadiness } from './cache-backend.js';

/** How long a read or write may wait on Redis before the caller goes on without the cache. */
const REMOTE_STORE_TIMEOUT_MS = 1_000;

interface Load {
  generation: number;
  promise?: Promise<unknown>;
}

interface KeyLoads {
  /** Bumped by every invalidation of the key while loads of it are running. */
  generation: number;
  running: number;
  /** The load of the current generation; callers arriving meanwhile share it. */
  current?: Load;
}

/*
 * Invalidation against loads in flight. A load that started before an invalidation of its key
 * may have read the old data, so it must not store its result after the invalidation. Each key
 * with a load running has a generation, bumped by every invalidation of the key, whether made
 * here or received from another instance; a load stores its result only if the generation it
 * started in is still current, and deletes the key again if the generation moved while its
 * write was on its way (the invalidation's delete may have landed first). Keys with no load
 * running have no entry, so the map is as small as the number of loads running.
 *
 * What is left open happens across instances. Until another instance receives the NOTIFY (a
 * few milliseconds), a load running there can still write after the delete: into its own
 * memory, or into Redis, where every instance then reads it. On receipt that instance drops
 * the keys again (in Redis too, at the cost of one delete per instance), which removes such a
 * write. A NOTIFY that never arrives (that instance's LISTEN connection was down: DbNotifier
 * replays nothing) leaves the value until its TTL: the TTL is the backstop.
 */

/**
 * The application cache: read-through with a TTL, invalidated on every instance. Built on
 * cache-manager with an in-memory Keyv store per instance, or one Redis store shared by all
 * when REDIS_URL is set. Values go through JSON as they would through Redis, so a Date comes
 * back as a string. The cache never fails a caller: when the store fails or does not answer
 * in time, the loader's result is returned and a warning is logged.
 */
@Injectable()
export class AppCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AppCache.name);
  private readonly failures = new ThrottledWarning(this.logger);
  /** Tells this cache's broadcasts from others'; instance ids can repeat (two apps in one test process). */
  private readonly origin = randomUUID();
  private readonly loads = new Map<string, KeyLoads>();
  private readonly defaultTtlMs: number;
  private readonly storeTimeoutMs?: number;
  private unlisten?: () => Promise<void>;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly backend: CacheBackend,
    private readonly notifier: DbNotifier,
    config: ConfigService,
  ) {
    this.defaultTtlMs = config.getOrThrow<CacheConfig>('cache').ttlMs;
    // The memory store answers at once; only a remote one can leave a caller waiting.
    this.storeTimeoutMs = backend.kind === 'redis' ? REMOTE_STORE_TIMEOUT_MS : undefined;
  }

  async onModuleInit(): Promise<void> {
    // Listening before the app serves anything: a broadcast sent while not listening is lost.
    this.unlisten = await this.notifier.listen(CACHE_INVALIDATION_CHANNEL, (payload) => this.receive(payload));
  }

  async onModuleDestroy(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch((error: unknown) => this.logger.warn(`UNLISTEN failed: ${messageOf(error)}`));
  }

  /**
   * The cached value of `key`, or else `load()`'s result, stored for `ttlMs` (default
   * TDS_CACHE_TTL_MS). Callers asking for a key while its load runs share that load (and its
   * failure; a failure is not cached). `undefined` is returned but not stored.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>, ttlMs: number = this.defaultTtlMs): Promise<T> {
    assertKey(key);
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`cache TTL must be a positive whole number of ms, got ${ttlMs}`);
    const running = this.runningLoad<T>(key);
    if (running) return running;
    const cached = await this.attempt('read', () => this.cache.get<T>(key));
    if (cached !== undefined) return cached;
    // Another caller may have started a load while this one read the store.
    return this.runningLoad<T>(key) ?? this.startLoad(key, load, ttlMs);
  }

  /**
   * Drops `keys` on every instance: here at once (in Redis too when that is the store), on the
   * others through a NOTIFY on `tds_cache`, in payloads under PostgreSQL's 8000-byte limit.
   * Resolves once the broadcast is sent, not once the others have acted on it. A cache or
   * broadcast failure is logged, never thrown: the TTL bounds what it leaves behind. Rejects
   * only for a key that is not a string of 1 to 1024 characters.
   */
  async invalidate(keys: string[]): Promise<void> {
    const unique = [...new Set(keys)];
    unique.forEach(assertKey);
    if (unique.length === 0) return;
    this.markStale(unique);
    await Promise.all([this.remove(unique), this.broadcast(unique)]);
  }

  /** For the readiness probe: memory is always up, Redis must answer a PING. */
  readiness(): Promise<CacheReadiness> {
    return this.backend.readiness();
  }

  private runningLoad<T>(key: string): Promise<T> | undefined {
    const keyLoads = this.loads.get(key);
    const current = keyLoads?.current;
    if (!keyLoads || !current?.promise || current.generation !== keyLoads.generation) return undefined;
    return current.promise as Promise<T>;
  }

  private startLoad<T>(key: string, load: () => Promise<T>, ttlMs: number): Promise<T> {
    let keyLoads = this.loads.get(key);
    if (!keyLoads) {
      keyLoads = { generation: 0, running: 0 };
      this.loads.set(key, keyLoads);
    }
    const state = keyLoads;
    const ticket: Load = { generation: state.generation };
    state.running += 1;
    state.current = ticket;
    const promise = this.loadAndStore(key, load, ttlMs, state, ticket.generation).finally(() => {
      state.running -= 1;
      if (state.current === ticket) state.current = undefined;
      if (state.running === 0 && this.loads.get(key) === state) this.loads.delete(key);
    });
    ticket.promise = promise;
    return promise;
  }

  private async loadAndStore<T>(key: string, load: () => Promise<T>, ttlMs: number, state: KeyLoads, generation: number): Promise<T> {
    const value = await load();
    if (value === undefined || state.generation !== generation) return value;
    await this.attempt('write', () => this.cache.set(key, value, ttlMs));
    if (state.generation !== generation) await this.attempt('delete', () => this.cache.del(key));
    return value;
  }

  private markStale(keys: readonly string[]): void {
    for (const key of keys) {
      const state = this.loads.get(key);
      if (state) state.generation += 1;
    }
  }

  private async remove(keys: string[]): Promise<void> {
    await this.attempt('delete', () => this.cache.mdel(keys));
  }

  private async broadcast(keys: string[]): Promise<void> {
    let failed = 0;
    let lastError: unknown;
    for (const payload of encodeInvalidations(this.origin, keys)) {
      try {
        await this.notifier.notify(CACHE_INVALIDATION_CHANNEL, payload);
      } catch (error) {
        failed += 1;
        lastError = error;
      }
    }
    if (failed > 0) {
      this.logger.warn(
        `cache invalidation broadcast failed (${failed} message(s)); other instances keep these keys until their TTL: ${messageOf(lastError)}`,
      );
    }
  }

  private receive(payload: string): void {
    const message = decodeInvalidation(payload);
    if (!message) {
      this.failures.warn(`ignored a message on ${CACHE_INVALIDATION_CHANNEL} that is not a cache invalidation`);
      return;
    }
    // The sender dropped the keys when it sent them.
    if (message.origin === this.origin) return;
    this.markStale(message.keys);
    void this.remove(message.keys);
  }

  /** The operation's result, or undefined (a miss, a write not made) when the store failed or was too slow. */
  private async attempt<R>(what: string, operation: () => Promise<R>): Promise<R | undefined> {
    try {
      const pending = operation();
      return await (this.storeTimeoutMs === undefined ? pending : withTimeout(pending, this.storeTimeoutMs, `cache ${what}`));
    } catch (error) {
      this.failures.warn(`cache ${what} failed, going on without the cache: ${this.backend.describe(error)}`);
      return undefined;
    }
  }
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`cache keys are strings of 1 to ${MAX_KEY_LENGTH} characters`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
