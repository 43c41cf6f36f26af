/**
 * The inventory module's cache keys, in one place for the reads that fill them and the
 * invalidation that empties them.
 */
export const productCacheKey = (id: number): string => `inventory:product:${id}`;

/**
 * List pages are many keys (every filter and cursor); rather than find them all, their keys
 * carry a generation token kept under this key. Invalidating it makes the next read pick a new
 * token, so every cached page is passed over at once and expires by its TTL.
 */
export const LIST_GENERATION_KEY = 'inventory:products:gen';

export const listCacheKey = (generation: string, filtersHash: string): string =>
  `inventory:products:list:${generation}:${filtersHash}`;
