import { parseTimestamp, parseVersion } from '../../../../src/modules/tds/domain/version.js';

describe('parseVersion', () => {
  it.each([
    [0, 0],
    [42, 42],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['0', 0],
    ['1763420571000', 1763420571000],
    ['007', 7],
  ])('takes the integer %p as %p', (input, expected) => {
    expect(parseVersion(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    // Zoho's last_modified_time: offset without a colon
    ['2025-11-18T02:02:51+0300', Date.UTC(2025, 10, 17, 23, 2, 51)],
    ['2025-11-18T02:02:51+03:00', Date.UTC(2025, 10, 17, 23, 2, 51)],
    ['2025-11-17T23:02:51Z', Date.UTC(2025, 10, 17, 23, 2, 51)],
    ['2025-11-17T23:02:51z', Date.UTC(2025, 10, 17, 23, 2, 51)],
    ['2025-11-17T18:32:51-0430', Date.UTC(2025, 10, 17, 23, 2, 51)],
    ['2025-11-17T23:02:51.123Z', Date.UTC(2025, 10, 17, 23, 2, 51, 123)],
    ['2025-11-17T23:02:51.5+00:00', Date.UTC(2025, 10, 17, 23, 2, 51, 500)],
    // sub-millisecond digits are cut, not rounded: a version never moves into the next millisecond
    ['2025-11-17T23:02:51.123999Z', Date.UTC(2025, 10, 17, 23, 2, 51, 123)],
    ['2025-11-17T23:02Z', Date.UTC(2025, 10, 17, 23, 2)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
  ])('turns the timestamp %s into epoch milliseconds', (input, expected) => {
    expect(parseVersion(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [-1, 'non-negative integer'],
    [1.5, 'non-negative integer'],
    [Number.MAX_SAFE_INTEGER + 1, 'non-negative integer'],
    [Number.NaN, 'non-negative integer'],
    ['9007199254740993', 'at most 9007199254740991'],
    ['abc', 'ISO-8601 timestamp with a zone'],
    ['', 'ISO-8601 timestamp with a zone'],
    [' 12', 'ISO-8601 timestamp with a zone'],
    ['-5', 'ISO-8601 timestamp with a zone'],
    ['1e5', 'ISO-8601 timestamp with a zone'],
    ['2025-11-18T02:02:51', 'ISO-8601 timestamp with a zone'], // no zone: ambiguous instant
    ['2025-11-18', 'ISO-8601 timestamp with a zone'],
    ['2025-02-30T00:00:00Z', 'ISO-8601 timestamp with a zone'],
    ['2023-02-29T00:00:00Z', 'ISO-8601 timestamp with a zone'],
    ['2025-13-01T00:00:00Z', 'ISO-8601 timestamp with a zone'],
    ['2025-11-18T24:00:00Z', 'ISO-8601 timestamp with a zone'],
    ['2025-11-18T02:60:00Z', 'ISO-8601 timestamp with a zone'],
    ['2025-11-18T02:02:51+0360', 'ISO-8601 timestamp with a zone'],
    ['2025-11-18T02:02:51+3', 'ISO-8601 timestamp with a zone'],
    ['1969-12-31T23:59:59Z', 'before 1970'],
    [null, 'non-negative integer or'],
    [true, 'non-negative integer or'],
    [{}, 'non-negative integer or'],
    [undefined, 'non-negative integer or'],
  ])('refuses %p with a clear message', (input, fragment) => {
    const result = parseVersion(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(fragment);
  });
});

describe('parseTimestamp', () => {
  it('agrees with Date.parse on the forms both accept', () => {
    for (const text of ['2025-11-18T02:02:51+03:00', '2000-01-01T00:00:00.001Z', '2038-01-19T03:14:08-08:00']) {
      expect(parseTimestamp(text)).toBe(Date.parse(text));
    }
  });
});
