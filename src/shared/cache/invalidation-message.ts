/** The PostgreSQL NOTIFY channel on which instances tell each other which cache keys to drop. */
export const CACHE_INVALIDATION_CHANNEL = 'tds_cache';

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (the default build); a little is
 * left over for safety.
 */
export const MAX_PAYLOAD_BYTES = 7_900;

/**
 * Long enough for any sensible key, short enough that one key always fits in a payload even
 * when every character is escaped in JSON (6 bytes each), beside the envelope.
 */
export const MAX_KEY_LENGTH = 1_024;

export interface InvalidationMessage {
  /** The sending AppCache, which has already dropped the keys itself. */
  origin: string;
  keys: string[];
}

interface Wire {
  o: string;
  k: string[];
}

/** Splits the keys over as few payloads as fit under MAX_PAYLOAD_BYTES, in order. */
export function encodeInvalidations(origin: string, keys: readonly string[]): string[] {
  const envelopeBytes = Buffer.byteLength(JSON.stringify({ o: origin, k: [] } satisfies Wire));
  const payloads: string[] = [];
  let chunk: string[] = [];
  let chunkBytes = envelopeBytes;
  for (const key of keys) {
    const keyBytes = Buffer.byteLength(JSON.stringify(key));
    const separatorBytes = chunk.length > 0 ? 1 : 0;
    if (chunk.length > 0 && chunkBytes + separatorBytes + keyBytes > MAX_PAYLOAD_BYTES) {
      payloads.push(JSON.stringify({ o: origin, k: chunk } satisfies Wire));
      chunk = [];
      chunkBytes = envelopeBytes;
    }
    chunkBytes += (chunk.length > 0 ? 1 : 0) + keyBytes;
    chunk.push(key);
  }
  if (chunk.length > 0) payloads.push(JSON.stringify({ o: origin, k: chunk } satisfies Wire));
  return payloads;
}

/** The message in `payload`, or undefined when it is not one (nothing else should use the channel). */
export function decodeInvalidation(payload: string): InvalidationMessage | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  const { o, k } = wire as Partial<Wire>;
  if (typeof o !== 'string' || !Array.isArray(k) || !k.every((key) => typeof key === 'string')) return undefined;
  return { origin: o, keys: k };
}
