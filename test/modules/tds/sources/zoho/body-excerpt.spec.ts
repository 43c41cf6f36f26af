import { BODY_EXCERPT_CHARS, bodyExcerpt } from '../../../../../src/modules/tds/sources/zoho/body-excerpt.js';
import { retryAfterMs, zohoTimestampFilter } from '../../../../../src/modules/tds/sources/zoho/zoho-client.js';

const SECRET = 'client-secret-0f1e2d3c';
const REFRESH = '1000.aabbccddeeff0011.2233445566778899';
const ACCESS = '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210';

describe('body excerpts', () => {
  it('keeps a short body as it is', () => {
    expect(bodyExcerpt('{"code":-1,"message":"Bad Gateway"}', [SECRET])).toBe('{"code":-1,"message":"Bad Gateway"}');
  });

  it('cuts at 200 characters, whole code points, and folds control characters into spaces', () => {
    const long = `${'é'.repeat(150)}\n\t${'😀'.repeat(100)}`;
    const excerpt = bodyExcerpt(long, []);
    expect(Array.from(excerpt)).toHaveLength(BODY_EXCERPT_CHARS);
    expect(excerpt).toBe(`${'é'.repeat(150)} ${'😀'.repeat(49)}`);
    expect(excerpt).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('redacts the secrets it is given, whole, even where the cut would have split one', () => {
    const body = `${'x'.repeat(190)}${SECRET} and ${REFRESH}`;
    const excerpt = bodyExcerpt(body, [SECRET, REFRESH]);
    expect(excerpt).toBe(`${'x'.repeat(190)}[REDACTED]`);
    expect(bodyExcerpt(`echo: ${SECRET} / ${REFRESH}`, [SECRET, REFRESH])).toBe('echo: [REDACTED] / [REDACTED]');
  });

  it('redacts what looks like a credential though nobody named it: OAuth fields, parameters, authorization values, Zoho tokens', () => {
    expect(bodyExcerpt(`{"access_token":"${ACCESS}","expires_in":3600}`, [])).toBe('{"access_token":"[REDACTED]","expires_in":3600}');
    // Cut short inside the value: nothing of it stays.
    expect(bodyExcerpt(`{"refresh_token":"${REFRESH.slice(0, 12)}`, [])).toBe('{"refresh_token":"[REDACTED]');
    expect(bodyExcerpt(`refresh_token=${REFRESH}&client_secret=${SECRET}&grant_type=refresh_token`, [])).toBe(
      'refresh_token=[REDACTED]&client_secret=[REDACTED]&grant_type=refresh_token',
    );
    expect(bodyExcerpt(`header was Authorization: Zoho-oauthtoken ${ACCESS}`, [])).toBe('header was Authorization: Zoho-oauthtoken [REDACTED]');
    expect(bodyExcerpt(`token ${ACCESS} refused`, [])).toBe('token [REDACTED] refused');
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 4, 10, 0, 0);

  it.each([
    ['seconds', '7', 7000],
    ['zero', '0', 0],
    ['an HTTP date', 'Fri, 04 Dec 2026 10:00:30 GMT', 30_000],
    ['an HTTP date already past', 'Fri, 04 Dec 2026 09:59:00 GMT', 0],
  ])('reads %s', (_label, header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });

  it.each([[null], ['soon'], ['-5'], ['1.5']])('knows no wait in %p', (header) => {
    expect(retryAfterMs(header, now)).toBeUndefined();
  });
});

describe('the last_modified_time filter', () => {
  it("is Zoho's format in UTC, to the second (floored: the filter is inclusive)", () => {
    expect(zohoTimestampFilter(new Date('2026-12-04T10:15:30.999+03:00'))).toBe('2026-12-04T07:15:30+0000');
    expect(zohoTimestampFilter(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01T00:00:00+0000');
  });
});
