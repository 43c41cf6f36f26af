import { ValidationFailedError } from '../errors/domain-error.js';

/**
 * Keyset pages hand out the last row's key as an opaque cursor: the key's parts as a JSON
 * array, base64url. Opaque, so callers pass it back untouched and the key can change shape.
 */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key inside a cursor, checked part by part by `isKey` (a cursor comes from the client:
 * anything else is a 422 naming the parameter, `path`, never a 500).
 */
export function decodeCursor<K extends readonly unknown[]>(cursor: string, path: string, isKey: (key: unknown[]) => boolean): K {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && isKey(key)) return key as unknown as K;
  } catch {
    // reported below
  }
  throw new ValidationFailedError([{ path, message: `${path} must be a cursor returned by a previous page` }]);
}
