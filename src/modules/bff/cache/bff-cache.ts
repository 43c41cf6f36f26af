import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppCache } from '../../../shared/cache/app-cache.js';
import type { BffCacheGroup, BffConfig } from '../../../shared/config/bff.config.js';

/**
 * A generation outlives the entries made under it: an entry's own TTL bounds its staleness (a
 * lost invalidation leaves the generation, but not the entry, in place), and a generation that
 * expired early would only cost misses.
 */
const GENERATION_TTL_MS = 3_600_000;

/** Every group, for whoever must drop the whole BFF cache (benchmarks of uncached reads). */
export const BFF_CACHE_GROUPS: readonly BffCacheGroup[] = ['dashboard', 'runs', 'alerts', 'entities', 'deadLetters', 'throughput'];

export const bffGenerationKey = (group: BffCacheGroup): string => `bff:gen:${group}`;

/**
 * The BFF's reads through the shared AppCache. A group (every page and filter of the alert
 * list, say) is many keys; rather than find them all, each key embeds the group's generation,
 * a token cached under `bff:gen:<group>`. Invalidating that one key makes the next read pick a
 * new token, so every entry of the group is passed over at once and expires by its TTL; this
 * works the same on Redis and on the per-instance memory stores, whose invalidations AppCache
 * broadcasts. With the cache down the generation is new on every read: reads go to the buses.
 */
@Injectable()
export class BffCache {
  private readonly ttlMs: BffConfig['ttlMs'];

  constructor(
    private readonly cache: AppCache,
    config: ConfigService,
  ) {
    this.ttlMs = config.getOrThrow<BffConfig>('bff').ttlMs;
  }

  /** `load()`'s result for these parameters, cached in `group` for the group's TTL. */
  async read<T>(group: BffCacheGroup, params: Record<string, unknown>, load: () => Promise<T>): Promise<T> {
    const generation = await this.cache.getOrLoad(bffGenerationKey(group), async () => randomUUID(), GENERATION_TTL_MS);
    const hash = createHash('sha256').update(JSON.stringify(params)).digest('base64url');
    return this.cache.getOrLoad(`bff:${group}:${generation}:${hash}`, load, this.ttlMs[group]);
  }

  /** Drops every entry of the groups, on every instance; never throws (AppCache logs failures). */
  invalidate(groups: readonly BffCacheGroup[]): Promise<void> {
    return this.cache.invalidate(groups.map(bffGenerationKey));
  }
}
