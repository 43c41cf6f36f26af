import { MemoryStore } from '../../../src/shared/cache/memory-store.js';

describe('MemoryStore (the per-instance cache store)', () => {
  let store: MemoryStore | undefined;

  afterEach(async () => {
    await store?.disconnect();
    jest.useRealTimers();
  });

  it('forgets an entry once its TTL has passed', async () => {
    jest.useFakeTimers();
    store = new MemoryStore(10, 60_000);
    await store.set('k', 'v', 1_000);
    jest.setSystemTime(Date.now() + 999);
    expect(await store.get('k')).toBe('v');
    jest.setSystemTime(Date.now() + 2);
    expect(await store.get('k')).toBeUndefined();
  });

  it('sweeps expired entries nobody reads again', async () => {
    jest.useFakeTimers();
    store = new MemoryStore(10, 1_000);
    await store.set('short', 'v', 500);
    await store.set('long', 'v', 5_000);
    await store.set('forever', 'v');
    jest.advanceTimersByTime(1_000);
    expect(store.size).toBe(2);
    expect(await store.get('long')).toBe('v');
    expect(await store.get('forever')).toBe('v');
  });

  it('holds at most its maximum, dropping the oldest write', async () => {
    store = new MemoryStore(3, 60_000);
    for (const key of ['a', 'b', 'c']) await store.set(key, key, 60_000);
    await store.set('a', 'a again', 60_000); // rewritten: now the newest
    await store.set('d', 'd', 60_000);
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('a again');
    expect(await store.get('c')).toBe('c');
    expect(await store.get('d')).toBe('d');
  });
});
