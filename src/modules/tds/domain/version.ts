/**
 * Versions order the deliveries of one record. The mirror compares them as bigint numbers, so
 * every accepted form becomes a non-negative integer here:
 * - a JSON number or a digit string, taken as is (a source's own counter);
 * - an ISO-8601 timestamp with a zone (Zoho's `last_modified_time`), as epoch milliseconds.
 *
 * Values stay within Number.MAX_SAFE_INTEGER (year 287,396 in epoch ms): a version is then a
 * plain JS number everywhere, exact on the way into and out of the database.
 */
export type VersionParseResult = { ok: true; value: number } | { ok: false; message: string };

/**
 * `2025-11-18T02:02:51+0300`, `…+03:00`, `…Z`, with optional fractional seconds. The zone is
 * required: without it the instant depends on the reader's time zone, and two readers would
 * order the same deliveries differently.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i;
const DIGITS = /^\d+$/;

const TIMESTAMP_HINT = 'an ISO-8601 timestamp with a zone, e.g. 2025-11-18T02:02:51+0300';

/** Epoch milliseconds of an ISO-8601 timestamp, or undefined when it is not one (or not a real date). */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  // Field by field: this runs for every queued item, and slice/map allocated twice per call.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || Number(m[11] ?? 0) > 59) {
    return undefined;
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 April over to 1 May: a day that does not exist shows up as a changed date.
  if (new Date(local).getUTCDate() !== day) return undefined;
  return local - offsetMinutes * 60_000;
}

export function parseVersion(input: unknown): VersionParseResult {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0
      ? { ok: true, value: input }
      : { ok: false, message: `version must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}` };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: `version must be a non-negative integer or ${TIMESTAMP_HINT}` };
  }
  if (DIGITS.test(input)) {
    const value = Number(input);
    return Number.isSafeInteger(value)
      ? { ok: true, value }
      : { ok: false, message: `version must be at most ${Number.MAX_SAFE_INTEGER}` };
  }
  const millis = parseTimestamp(input);
  if (millis === undefined) {
    return { ok: false, message: `version must be a non-negative integer or ${TIMESTAMP_HINT}` };
  }
  return millis >= 0
    ? { ok: true, value: millis }
    : { ok: false, message: 'version timestamp must not be before 1970-01-01T00:00:00Z' };
}
