import { Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { redactRedisUrl } from '../config/cache.config.js';
import type { CacheConfig, CacheStoreKind } from '../config/cache.config.js';
import { MemoryStore } from './memory-store.js';
import { ThrottledWarning } from './throttled-warning.js';

type RedisClient = ReturnType<typeof createRedisClient>;

/** Bounds the per-instance store; past it the oldest writes are dropped (they are only a cache). */
const MEMORY_MAX_ENTRIES = 100_000;
const MEMORY_SWEEP_INTERVAL_MS = 30_000;
const REDIS_CONNECT_TIMEOUT_MS = 2_000;
const REDIS_RECONNECT_BASE_MS = 100;
const REDIS_RECONNECT_CAP_MS = 5_000;
const PING_TIMEOUT_MS = 1_000;

export interface CacheReadiness {
  store: CacheStoreKind;
  up: boolean;
  /** Why it is down, free of credentials; for the log, not for the public probe. */
  reason?: string;
}

/**
 * The Keyv store that cache-manager runs on: in memory per instance, or Redis shared by all.
 * Owns the Redis connection: the app starts (and serves from its loaders) while Redis is down,
 * the connection is re-established with backoff, and it is closed at shutdown.
 */
export class CacheBackend implements OnModuleInit, OnApplicationShutdown {
  readonly kind: CacheStoreKind;
  readonly keyv: Keyv;
  private readonly redis?: RedisClient;
  private readonly logger = new Logger('AppCache');
  private readonly failures = new ThrottledWarning(this.logger);
  private readonly secrets: string[];
  private firstConnection?: Promise<boolean>;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectAttempts = 0;
  private closed = false;

  constructor(config: CacheConfig) {
    this.kind = config.store;
    this.secrets = secretsOf(config.redisUrl);
    if (config.store === 'redis' && config.redisUrl) {
      this.redis = this.createRedis(config.redisUrl, config.clientName);
      // The namespace goes to Keyv only, which hands it to the adapter; with key prefixing on as
      // well, keys would read `ns::ns:key` (STACK-NOTES, Cache).
      this.keyv = new Keyv({
        store: new OwnedClientKeyvRedis(this.redis, { throwOnConnectError: false, throwOnErrors: false }),
        namespace: config.namespace,
        useKeyPrefix: false,
        ttl: config.ttlMs,
      });
      this.firstConnection = this.connectRedis();
    } else {
      this.keyv = new Keyv({
        store: new MemoryStore(MEMORY_MAX_ENTRIES, MEMORY_SWEEP_INTERVAL_MS),
        namespace: config.namespace,
        ttl: config.ttlMs,
      });
    }
    // Keyv turns store failures into misses and no-ops and reports them here.
    this.keyv.on('error', (error: unknown) => this.failures.warn(`cache store operation failed: ${this.describe(error)}`));
  }

  /** Lets the first requests find the cache when Redis is there; start-up does not wait for one that is not. */
  async onModuleInit(): Promise<void> {
    if (this.firstConnection && !(await this.firstConnection)) {
      this.logger.warn('Redis cache not reachable at start-up; serving from the loaders until it is');
    }
  }

  /** Memory is always up; Redis answers a PING in time or is down. */
  async readiness(): Promise<CacheReadiness> {
    if (!this.redis) return { store: this.kind, up: true };
    try {
      await withTimeout(this.redis.ping(), PING_TIMEOUT_MS, 'Redis PING');
      return { store: this.kind, up: true };
    } catch (error) {
      return { store: this.kind, up: false, reason: this.describe(error) };
    }
  }

  /** An error's message with any credential from REDIS_URL masked. */
  describe(error: unknown): string {
    let message = error instanceof Error ? error.message : String(error);
    for (const secret of this.secrets) message = message.split(secret).join('***');
    return message;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    // Keyv.disconnect() closes the Redis client (or stops the memory sweeper); cache-manager may
    // have done so already at module destroy, and both are idempotent.
    await this.keyv.disconnect().catch(() => undefined);
    if (this.redis?.isOpen) this.redis.destroy();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private createRedis(url: string, name: string): RedisClient {
    const client = createRedisClient(url, name);
    // Also what keeps a lost connection from crashing the process (an 'error' with no listener).
    client.on('error', (error: unknown) => {
      this.failures.warn(`Redis cache connection failed: ${this.describe(error)}`);
      if (!client.isOpen) this.scheduleReconnect();
    });
    client.on('ready', () => {
      this.reconnectAttempts = 0;
      this.failures.reset();
      this.logger.log(`Redis cache connected (${redactRedisUrl(url)})`);
    });
    return client;
  }

  /** True once connected; false when this attempt failed (the next one is scheduled). */
  private async connectRedis(): Promise<boolean> {
    try {
      await this.redis!.connect();
      return true;
    } catch {
      // Already reported by the 'error' listener.
      this.scheduleReconnect();
      return false;
    }
  }

  /**
   * Our own backoff rather than node-redis's: its retry sleeps cannot be cancelled, so a
   * closed client could hold the process open until the next retry was due.
   */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer || !this.redis || this.redis.isOpen) return;
    const delay = Math.min(REDIS_RECONNECT_BASE_MS * 2 ** this.reconnectAttempts, REDIS_RECONNECT_CAP_MS);
    this.reconnectAttempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && !this.redis?.isOpen) void this.connectRedis();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/**
 * KeyvRedis would connect the client itself whenever it is not open, adding its listeners
 * again each time; here CacheBackend opens and closes the client, and an operation while it is
 * closed (Redis lost, or after shutdown) fails at once.
 */
class OwnedClientKeyvRedis extends KeyvRedis<string> {
  override async getClient(): ReturnType<KeyvRedis<string>['getClient']> {
    if (!this.client.isOpen) throw new Error('the Redis cache client is closed');
    return this.client;
  }
}

function createRedisClient(url: string, name: string) {
  return createClient({
    url,
    name,
    // Commands fail at once while the connection is down instead of queueing until it is back:
    // a read then falls back to its loader rather than waiting on Redis.
    disableOfflineQueue: true,
    // A lost connection closes the client; CacheBackend reconnects it (scheduleReconnect).
    socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: false },
  });
}

function secretsOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { password } = new URL(url);
    if (!password) return [];
    return [...new Set([url, password, decodeURIComponent(password)])].sort((a, b) => b.length - a.length);
  } catch {
    return [url];
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
