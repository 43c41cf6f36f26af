import { ConfigService } from '@nestjs/config';
import { createCache } from 'cache-manager';
import { AppCache } from '../../../src/shared/cache/app-cache.js';
import { CacheBackend } from '../../../src/shared/cache/cache-backend.js';
import { loadCacheConfig } from '../../../src/shared/config/cache.config.js';
import type { DbNotifier, NotificationHandler } from '../../../src/shared/database/db-notifier.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A loader that counts its calls and answers `value-<n>` for the n-th. */
export function countingLoader(prefix = 'value') {
  const loader = Object.assign(
    async (): Promise<string> => {
      loader.calls += 1;
      return `${prefix}-${loader.calls}`;
    },
    { calls: 0 },
  );
  return loader;
}

/**
 * A loader whose n-th call waits until the test releases it: `started(n)` resolves when the
 * call has begun, `finish(n, value)` lets it return.
 */
export function gatedLoader() {
  const calls: { started: Deferred<void>; result: Deferred<string> }[] = [];
  const slot = (n: number) => {
    while (calls.length < n) calls.push({ started: deferred<void>(), result: deferred<string>() });
    return calls[n - 1];
  };
  let count = 0;
  const load = async (): Promise<string> => {
    count += 1;
    const call = slot(count);
    call.started.resolve();
    return call.result.promise;
  };
  return {
    load,
    get calls() {
      return count;
    },
    started: (n: number) => slot(n).started.promise,
    finish: (n: number, value: string) => slot(n).result.resolve(value),
  };
}

/** Polls until `check` holds; for effects that arrive asynchronously (a NOTIFY), never for timing. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * DbNotifier's listen/notify between AppCaches in one process. Like PostgreSQL it delivers a
 * notification to every listener, the sender included, and never synchronously; with `hold`
 * set, deliveries wait for `flush()` so a test can order them against loads.
 */
export class FakeNotifierBus {
  readonly sent: { channel: string; payload: string }[] = [];
  hold = false;
  failNotify?: Error;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly held: (() => void)[] = [];

  notifier(): DbNotifier {
    const bus = this;
    const fake: Pick<DbNotifier, 'listen' | 'notify'> = {
      async listen(channel, handler) {
        const subscription: NotificationHandler = (payload) => handler(payload);
        if (!bus.handlers.has(channel)) bus.handlers.set(channel, new Set());
        bus.handlers.get(channel)!.add(subscription);
        return async () => void bus.handlers.get(channel)?.delete(subscription);
      },
      async notify(channel, payload = '') {
        if (bus.failNotify) throw bus.failNotify;
        bus.sent.push({ channel, payload });
        const deliver = () => {
          for (const handler of bus.handlers.get(channel) ?? []) handler(payload);
        };
        if (bus.hold) bus.held.push(deliver);
        else setImmediate(deliver);
      },
    };
    return fake as DbNotifier;
  }

  /** Delivers what `hold` kept back, then lets the receivers' own async work run. */
  async flush(): Promise<void> {
    this.hold = false;
    for (const deliver of this.held.splice(0)) deliver();
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Resolves after everything sent so far has been delivered (not held). */
  async delivered(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface UnitCache {
  appCache: AppCache;
  backend: CacheBackend;
  cacheManager: ReturnType<typeof createCache>;
  close(): Promise<void>;
}

/** AppCache wired as AppCacheModule wires it, on a fake notifier: no database, no Nest. */
export async function unitCache(bus: FakeNotifierBus, env: Record<string, string> = {}): Promise<UnitCache> {
  const config = loadCacheConfig(env);
  const backend = new CacheBackend(config);
  const cacheManager = createCache({ stores: [backend.keyv], ttl: config.ttlMs });
  const appCache = new AppCache(cacheManager, backend, bus.notifier(), new ConfigService({ cache: config }));
  await appCache.onModuleInit();
  return {
    appCache,
    backend,
    cacheManager,
    close: async () => {
      await appCache.onModuleDestroy();
      await backend.close();
    },
  };
}
