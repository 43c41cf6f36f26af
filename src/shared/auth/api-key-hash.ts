import { createHash, timingSafeEqual } from 'node:crypto';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Short enough for logs and audit columns, and useless for guessing the key. */
export function apiKeyId(hash: Buffer): string {
  return hash.toString('hex').slice(0, 12);
}

/** Both sides are sha256 digests, so lengths always match and timing leaks nothing about the key. */
export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
