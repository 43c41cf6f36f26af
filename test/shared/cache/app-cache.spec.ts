import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { CACHE_INVALIDATION_CHANNEL, decodeInvalidation } from '../../../src/shared/cache/invalidation-message.js';
import { MemoryStore } from '../../../src/shared/cache/memory-store.js';
import { countingLoader, deferred, FakeNotifierBus, gatedLoader, unitCache, type UnitCache } from './cache-test-kit.js';

/** AppCache on the in-memory store, instances joined by a fake NOTIFY bus. */
describe('AppCache', () => {
  let bus: FakeNotifierBus;
  let open: UnitCache[];
  const cacheOn = async (env: Record<string, string> = {}) => {
    const cache = await unitCache(bus, env);
    open.push(cache);
    return cache;
  };

  beforeEach(() => {
    bus = new FakeNotifierBus();
    open = [];
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(open.map((cache) => cache.close()));
  });

  describe('getOrLoad', () => {
    it('loads once and serves the stored value afterwards', async () => {
      const { appCache } = await cacheOn();
      const load = countingLoader();
      expect(await appCache.getOrLoad('k', load)).toBe('value-1');
      expect(await appCache.getOrLoad('k', load)).toBe('value-1');
      expect(await appCache.getOrLoad('k', load)).toBe('value-1');
      expect(load.calls).toBe(1);
    });

    it('keeps keys apart', async () => {
      const { appCache } = await cacheOn();
      expect(await appCache.getOrLoad('a', async () => 'A')).toBe('A');
      expect(await appCache.getOrLoad('b', async () => 'B')).toBe('B');
      expect(await appCache.getOrLoad('a', async () => 'other')).toBe('A');
    });

    it('hands out copies, as Redis would: a caller mutating its value does not change the cache', async () => {
      const { appCache } = await cacheOn();
      const first = await appCache.getOrLoad('obj', async () => ({ items: [1, 2] }));
      first.items.push(3);
      expect(await appCache.getOrLoad('obj', async () => ({ items: [] as number[] }))).toEqual({ items: [1, 2] });
    });

    it('expires a value after TDS_CACHE_TTL_MS, and after a per-call TTL', async () => {
      const { appCache } = await cacheOn({ TDS_CACHE_TTL_MS: '60000' });
      const start = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
      const byDefault = countingLoader();
      const short = countingLoader();
      await appCache.getOrLoad('default-ttl', byDefault);
      await appCache.getOrLoad('short-ttl', short, 1_000);

      clock.mockReturnValue(start + 59_000);
      expect(await appCache.getOrLoad('default-ttl', byDefault)).toBe('value-1');
      expect(await appCache.getOrLoad('short-ttl', short)).toBe('value-2');

      clock.mockReturnValue(start + 61_000);
      expect(await appCache.getOrLoad('default-ttl', byDefault)).toBe('value-2');
    });

    it('lets concurrent callers share one load', async () => {
      const { appCache } = await cacheOn();
      const loader = gatedLoader();
      const callers = [appCache.getOrLoad('k', loader.load), appCache.getOrLoad('k', loader.load), appCache.getOrLoad('k', loader.load)];
      await loader.started(1);
      loader.finish(1, 'shared');
      expect(await Promise.all(callers)).toEqual(['shared', 'shared', 'shared']);
      expect(loader.calls).toBe(1);
    });

    it('does not cache a failure; the callers sharing the load all get it', async () => {
      const { appCache } = await cacheOn();
      const failing = jest.fn(async (): Promise<string> => {
        throw new Error('source down');
      });
      const both = [appCache.getOrLoad('k', failing), appCache.getOrLoad('k', failing)];
      await expect(Promise.all(both)).rejects.toThrow('source down');
      await Promise.allSettled(both);
      expect(failing).toHaveBeenCalledTimes(1);
      expect(await appCache.getOrLoad('k', async () => 'recovered')).toBe('recovered');
    });

    it('returns undefined from a loader without storing it', async () => {
      const { appCache } = await cacheOn();
      const load = jest.fn(async () => undefined);
      expect(await appCache.getOrLoad('nothing', load)).toBeUndefined();
      expect(await appCache.getOrLoad('nothing', load)).toBeUndefined();
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('refuses keys that are empty or too long to broadcast, and TTLs that are not positive whole ms', async () => {
      const { appCache } = await cacheOn();
      const load = async () => 'x';
      await expect(appCache.getOrLoad('', load)).rejects.toThrow(TypeError);
      await expect(appCache.getOrLoad('k'.repeat(1025), load)).rejects.toThrow(TypeError);
      await expect(appCache.getOrLoad('k', load, 0)).rejects.toThrow(RangeError);
      await expect(appCache.getOrLoad('k', load, 1.5)).rejects.toThrow(RangeError);
      await expect(appCache.invalidate(['ok', ''])).rejects.toThrow(TypeError);
      expect(await appCache.getOrLoad('k'.repeat(1024), load)).toBe('x');
    });
  });

  describe('when the store fails', () => {
    it('serves reads from the loader and logs a warning', async () => {
      const { appCache, cacheManager } = await cacheOn();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(cacheManager, 'get').mockRejectedValue(new Error('store unreachable'));
      jest.spyOn(cacheManager, 'set').mockRejectedValue(new Error('store unreachable'));
      const load = countingLoader();
      expect(await appCache.getOrLoad('k', load)).toBe('value-1');
      expect(await appCache.getOrLoad('k', load)).toBe('value-2');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('store unreachable'));
    });

    it('still invalidates (and broadcasts) when the delete fails', async () => {
      const { appCache, cacheManager } = await cacheOn();
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(cacheManager, 'mdel').mockRejectedValue(new Error('store unreachable'));
      await expect(appCache.invalidate(['k'])).resolves.toBeUndefined();
      expect(bus.sent).toHaveLength(1);
    });

    it('resolves invalidate when the broadcast cannot be sent, having dropped the keys here', async () => {
      const { appCache } = await cacheOn();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const load = countingLoader();
      await appCache.getOrLoad('k', load);
      bus.failNotify = new Error('database unavailable');
      await expect(appCache.invalidate(['k'])).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('other instances keep these keys until their TTL'));
      expect(await appCache.getOrLoad('k', load)).toBe('value-2');
    });
  });

  describe('invalidate', () => {
    it('drops the keys here at once, and no others', async () => {
      const { appCache } = await cacheOn();
      bus.hold = true; // this instance must not need its own NOTIFY
      const a = countingLoader('a');
      const b = countingLoader('b');
      await appCache.getOrLoad('a', a);
      await appCache.getOrLoad('b', b);
      await appCache.invalidate(['a', 'a']);
      expect(await appCache.getOrLoad('a', a)).toBe('a-2');
      expect(await appCache.getOrLoad('b', b)).toBe('b-1');
    });

    it('does nothing for an empty list', async () => {
      const { appCache } = await cacheOn();
      await appCache.invalidate([]);
      expect(bus.sent).toHaveLength(0);
    });

    it('reaches the other instances through the broadcast', async () => {
      const a = await cacheOn();
      const b = await cacheOn();
      const onB = countingLoader('b');
      await b.appCache.getOrLoad('shared-key', onB);
      await b.appCache.getOrLoad('other-key', async () => 'kept');

      await a.appCache.invalidate(['shared-key']);
      await bus.delivered();

      expect(await b.appCache.getOrLoad('shared-key', onB)).toBe('b-2');
      expect(await b.appCache.getOrLoad('other-key', async () => 'reloaded')).toBe('kept');
      expect(bus.sent.map((m) => m.channel)).toEqual([CACHE_INVALIDATION_CHANNEL]);
    });

    it('splits a long key list over payloads that PostgreSQL accepts, and every key arrives', async () => {
      const a = await cacheOn();
      const b = await cacheOn();
      const keys = Array.from({ length: 3000 }, (_, i) => `inventory:product:${i}:é-${'x'.repeat(20)}`);
      for (const key of keys.slice(0, 50)) await b.appCache.getOrLoad(key, async () => 'old');
      await b.appCache.getOrLoad(keys[2999], async () => 'old');

      await a.appCache.invalidate(keys);
      await bus.delivered();

      expect(bus.sent.length).toBeGreaterThan(1);
      for (const { payload } of bus.sent) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
      expect(bus.sent.flatMap(({ payload }) => decodeInvalidation(payload)!.keys)).toEqual(keys);
      for (const key of [...keys.slice(0, 50), keys[2999]]) {
        expect(await b.appCache.getOrLoad(key, async () => 'new')).toBe('new');
      }
    });

    it('ignores a message on the channel that is not an invalidation', async () => {
      const { appCache } = await cacheOn();
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      await appCache.getOrLoad('k', async () => 'kept');
      await bus.notifier().notify(CACHE_INVALIDATION_CHANNEL, 'not json');
      await bus.notifier().notify(CACHE_INVALIDATION_CHANNEL, JSON.stringify({ o: 'x', k: [1] }));
      await bus.delivered();
      expect(await appCache.getOrLoad('k', async () => 'reloaded')).toBe('kept');
    });
  });

  describe('racing an invalidation', () => {
    it('does not store a load that was in flight when its key was invalidated', async () => {
      const { appCache, backend } = await cacheOn();
      const writes = jest.spyOn(backend.keyv.store as MemoryStore, 'set');
      const loader = gatedLoader();
      const before = appCache.getOrLoad('k', loader.load);
      await loader.started(1);

      await appCache.invalidate(['k']);
      loader.finish(1, 'read before the change');

      // The caller asked before the invalidation: it gets what it loaded, but nobody after it does.
      expect(await before).toBe('read before the change');
      expect(writes).not.toHaveBeenCalled();
      const after = appCache.getOrLoad('k', loader.load);
      await loader.started(2);
      loader.finish(2, 'read after the change');
      expect(await after).toBe('read after the change');
      expect(await appCache.getOrLoad('k', loader.load)).toBe('read after the change');
    });

    it('does not let a caller arriving after the invalidation share the stale load', async () => {
      const { appCache } = await cacheOn();
      const loader = gatedLoader();
      const before = appCache.getOrLoad('k', loader.load);
      await loader.started(1);
      await appCache.invalidate(['k']);

      const after = appCache.getOrLoad('k', loader.load);
      loader.finish(1, 'stale');
      await Promise.race([loader.started(2), after]);
      loader.finish(2, 'fresh');

      expect(await after).toBe('fresh');
      expect(await before).toBe('stale');
      expect(await appCache.getOrLoad('k', async () => 'reloaded')).toBe('fresh');
      expect(loader.calls).toBe(2);
    });

    it('deletes again when the invalidation landed while the write was on its way', async () => {
      const { appCache, backend } = await cacheOn();
      const store = backend.keyv.store as MemoryStore;
      const writeGate = deferred<void>();
      const writing = deferred<void>();
      const set = store.set.bind(store);
      jest.spyOn(store, 'set').mockImplementationOnce(async (key, value, ttl) => {
        writing.resolve();
        await writeGate.promise;
        return set(key, value, ttl);
      });

      const before = appCache.getOrLoad('k', async () => 'stale');
      await writing.promise;
      await appCache.invalidate(['k']); // its delete runs before the write lands
      writeGate.resolve();
      expect(await before).toBe('stale');

      expect(await appCache.getOrLoad('k', async () => 'fresh')).toBe('fresh');
    });

    it('does not store a load in flight on another instance when the broadcast reaches it first', async () => {
      const a = await cacheOn();
      const b = await cacheOn();
      const loader = gatedLoader();
      const onB = b.appCache.getOrLoad('k', loader.load);
      await loader.started(1);

      await a.appCache.invalidate(['k']);
      await bus.delivered();
      loader.finish(1, 'stale');
      expect(await onB).toBe('stale');

      expect(await b.appCache.getOrLoad('k', async () => 'fresh')).toBe('fresh');
    });

    it('drops what another instance stored before the broadcast reached it', async () => {
      const a = await cacheOn();
      const b = await cacheOn();
      const loader = gatedLoader();
      const onB = b.appCache.getOrLoad('k', loader.load);
      await loader.started(1);

      bus.hold = true;
      await a.appCache.invalidate(['k']);
      loader.finish(1, 'stale');
      await onB; // stored on B: the broadcast has not arrived
      await bus.flush();

      expect(await b.appCache.getOrLoad('k', async () => 'fresh')).toBe('fresh');
    });

    it('is not tripped by its own broadcast arriving while a newer load runs', async () => {
      const { appCache } = await cacheOn();
      const loader = gatedLoader();
      bus.hold = true;
      await appCache.invalidate(['k']);
      const after = appCache.getOrLoad('k', loader.load);
      await loader.started(1);
      await bus.flush(); // PostgreSQL delivers a NOTIFY to its sender too
      loader.finish(1, 'fresh');
      expect(await after).toBe('fresh');
      expect(await appCache.getOrLoad('k', async () => 'reloaded')).toBe('fresh');
    });
  });

  it('is always ready on the in-memory store', async () => {
    const { appCache } = await cacheOn();
    expect(await appCache.readiness()).toEqual({ store: 'memory', up: true });
  });
});
