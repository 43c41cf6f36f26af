import type { KeyvStoreAdapter } from 'keyv';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The per-instance store behind Keyv when no Redis is configured. Keyv's default Map checks
 * expiry only when a key is read again, so a key nobody reads again would stay for the life of
 * the process; this one also sweeps expired entries and caps how many it holds (the oldest
 * written go first).
 */
export class MemoryStore implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  /** Set by Keyv; the keys it passes in already carry it. */
  namespace?: string;
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly maxEntries: number,
    sweepIntervalMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    // A cache is no reason to keep the process alive.
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as Value;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    // Re-inserted so that the eviction order follows the last write.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: ttl ? Date.now() + ttl : Number.POSITIVE_INFINITY });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  async disconnect(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  // Keyv calls on('error') on stores that have it; this one never fails.
  on(): this {
    return this;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
