/**
 * JSON.stringify writes a NUL or an unpaired surrogate as a `\u` escape (and nothing else in
 * that range: paired surrogates stay raw characters); jsonb and text refuse both. An escape
 * counts only when its backslash is not itself escaped.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** NUL, and surrogates without their other half (matched per UTF-16 unit: no `u` flag). */
const UNSTORABLE_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether PostgreSQL can store this JSON text (as produced by JSON.stringify) as jsonb. */
export function isStorableJson(json: string): boolean {
  return !UNSTORABLE_ESCAPE.test(json);
}

/** The text with what PostgreSQL cannot store replaced by U+FFFD, for text kept as a record of what was sent. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_CHARACTER, '\ufffd');
}
