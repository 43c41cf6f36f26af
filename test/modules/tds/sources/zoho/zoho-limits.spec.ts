import { setTimeout as sleep } from 'node:timers/promises';
import { SourceRateLimiter } from '../../../../../src/modules/tds/sources/zoho/source-rate.limiter.js';
import type { SourceError } from '../../../../../src/modules/tds/sources/zoho/source.errors.js';
import { rows } from '../../../../support/queue-fixtures.js';
import { eventually } from '../../../../support/spawn-app.js';
import { describePostgres } from '../../../../support/test-database.js';
import { alertsOf, evaluate } from '../../alerts/alerts-test-kit.js';
import { accountRow, apiCalls, CLIENT_SECRET, REFRESH_TOKEN, useZohoSuite } from './zoho-test-kit.js';

/** 120 per minute (2 per second) after a burst of 3; Zoho itself allows 6 a second here. */
const RATE_PER_S = 2;
const BURST = 3;

describePostgres('Zoho connector: shared rate limit, daily budget, circuit breaker, broken answers', () => {
  const suite = useZohoSuite(
    [
      { name: 'main', organizationId: '60020001', settings: { RATE_PER_MINUTE: '0' } },
      {
        name: 'limited',
        organizationId: '60020002',
        settings: { RATE_PER_MINUTE: String(RATE_PER_S * 60), RATE_BURST: String(BURST) },
        simulator: { rateLimit: { requests: 6, windowMs: 1000 } },
      },
      { name: 'budget', organizationId: '60020003', settings: { RATE_PER_MINUTE: '0', DAILY_BUDGET: '10' } },
      { name: 'flaky', organizationId: '60020004', settings: { RATE_PER_MINUTE: '0' } },
    ],
    { TDS_ZOHO_BREAKER_VOLUME: '3', TDS_ZOHO_BREAKER_ERROR_PERCENT: '50', TDS_ZOHO_BREAKER_RESET_MS: '1000', TDS_ZOHO_RATE_LIMIT_RETRIES: '3' },
  );
  const [a, b] = [() => suite.apps[0], () => suite.apps[1]];

  it('fails a broken 2xx with SOURCE.BAD_RESPONSE and a 5xx with SOURCE.UNAVAILABLE, each with the status and a short excerpt', async () => {
    const sim = suite.simulator('flaky');
    sim.malformResponses(1, 'non-json');
    const html = await suite.failure(a(), { account: 'flaky' });
    expect(html).toMatchObject({ code: 'SOURCE.BAD_RESPONSE', retryable: true, httpStatus: 200 });
    expect(html.message).toContain('the body is not JSON');
    expect((html as SourceError & { bodyExcerpt: string }).bodyExcerpt).toBe(
      '<html><head><title>Zoho</title></head><body>Service is temporarily unavailable. Please try again later.</body></html>',
    );

    // A page cut in half: 5 products are well over 200 characters, so the excerpt is the page's first 200.
    const whole = JSON.stringify(sim.records('product'));
    sim.malformResponses(1, 'truncated');
    const cut = (await suite.failure(b(), { account: 'flaky' })) as SourceError & { bodyExcerpt: string; httpStatus: number };
    expect(cut).toMatchObject({ code: 'SOURCE.BAD_RESPONSE', httpStatus: 200 });
    expect(cut.bodyExcerpt).toHaveLength(200);
    expect(cut.bodyExcerpt.startsWith('{"code":0,"message":"success","items":[')).toBe(true);
    expect(whole).toContain(cut.bodyExcerpt.slice('{"code":0,"message":"success","items":['.length));
    expect(cut.details).toMatchObject({ source: 'zoho', account: 'flaky', httpStatus: 200, bodyExcerpt: cut.bodyExcerpt });

    sim.failRequests(1, 502);
    const down = await suite.failure(a(), { account: 'flaky' });
    expect(down).toMatchObject({ code: 'SOURCE.UNAVAILABLE', retryable: true, httpStatus: 502, bodyExcerpt: '{"code":-1,"message":"Bad Gateway"}' });
    expect(down.message).toBe('Zoho is unavailable for account "flaky": HTTP 502');

    // Zoho is fine again: the next pages come through on both instances.
    for (const app of [a(), b()]) expect((await suite.list(app, { account: 'flaky' })).records).toHaveLength(5);
  });

  it('sits out a 429 storm for each Retry-After, then gets its page', async () => {
    const sim = suite.simulator('main');
    const before = sim.requests.length;
    sim.rateLimitStorm(2500, 1);
    const page = await suite.list(a(), { account: 'main' });
    expect(page.records).toHaveLength(5);

    const calls = apiCalls(sim, before);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(calls.map((call) => call.status)).toEqual([...Array<number>(calls.length - 1).fill(429), 200]);
    // Each retry came at least the second Zoho asked for after the 429 it answered.
    for (let i = 1; i < calls.length; i += 1) expect(calls[i].at - calls[i - 1].at).toBeGreaterThanOrEqual(1000);
  });

  it('hands a wait longer than it sits out, or 429s past its retries, to the caller as SOURCE.RATE_LIMITED, which the breaker does not count', async () => {
    const sim = suite.simulator('main');
    let before = sim.requests.length;
    sim.rateLimitStorm(60_000, 120);
    for (let i = 0; i < 4; i += 1) {
      const error = await suite.failure(a(), { account: 'main' });
      expect(error).toMatchObject({ code: 'SOURCE.RATE_LIMITED', retryable: true, retryAfterMs: 120_000 });
    }
    // Told to wait two minutes, longer than TDS_ZOHO_MAX_WAIT_MS: no second request each time.
    expect(apiCalls(sim, before)).toHaveLength(4);

    before = sim.requests.length;
    sim.rateLimitStorm(60_000, 1);
    const persistent = await suite.failure(a(), { account: 'main' });
    expect(persistent).toMatchObject({ code: 'SOURCE.RATE_LIMITED', retryAfterMs: 1000 });
    expect(persistent.message).toContain('HTTP 429 after 3 waits');
    expect(apiCalls(sim, before).map((call) => call.status)).toEqual([429, 429, 429, 429]);
    sim.rateLimitStorm(0);

    // Five failures, none of them Zoho being down: the breaker stays closed.
    expect(suite.breakers(a()).state(suite.account(a(), 'main'))).toBe('closed');
    expect((await suite.list(a(), { account: 'main' })).records).toHaveLength(5);
  });

  it('keeps two instances calling at once within the shared rate and burst', async () => {
    const sim = suite.simulator('limited');
    const before = sim.requests.length;
    const calls = [a(), b(), a(), b(), a(), b(), a(), b(), a(), b(), a(), b()].map((app) => suite.list(app, { account: 'limited' }));
    const pages = await Promise.all(calls);
    expect(pages.every((page) => page.records.length === 5)).toBe(true);

    const served = apiCalls(sim, before);
    expect(served).toHaveLength(12);
    // Zoho's own window (6 a second) never had to refuse one.
    expect(served.map((call) => call.status)).toEqual(Array<number>(12).fill(200));
    // In any window of w ms the bucket lets through its burst and what refills meanwhile (one more for network jitter).
    for (const windowMs of [1000, 2000]) {
      const allowed = BURST + (RATE_PER_S * windowMs) / 1000 + 1;
      for (const first of served) {
        const inWindow = served.filter((call) => call.at >= first.at && call.at < first.at + windowMs).length;
        expect(inWindow).toBeLessThanOrEqual(allowed);
      }
    }
    const [bucket] = await rows<{ dayRequests: number; dayBudget: number }>(
      suite.db,
      `SELECT day_requests AS "dayRequests", day_budget AS "dayBudget" FROM tds_rate_buckets WHERE key = 'zoho:60020002'`,
    );
    expect(bucket).toEqual({ dayRequests: 12, dayBudget: 10000 });
  });

  it('holds every instance back after a Retry-After: the shared bucket gives its next token only when the wait is over', async () => {
    const limiter = b().get(SourceRateLimiter);
    await limiter.backOff(suite.account(b(), 'limited'), 3000);
    const [bucket] = await rows<{ tokens: number }>(suite.db, `SELECT tokens FROM tds_rate_buckets WHERE key = 'zoho:60020002'`);
    // 1 - 3 s × 2/s: five tokens owed before the next one.
    expect(bucket.tokens).toBeCloseTo(1 - 3 * RATE_PER_S, 1);
  });

  it('counts every request toward the daily budget, warns near it (source_budget), then refuses with SOURCE.DAILY_BUDGET_EXHAUSTED', async () => {
    const [{ leftS }] = await rows<{ leftS: number }>(
      suite.db,
      `SELECT extract(epoch FROM ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC' - now())::float8 AS "leftS"`,
    );
    // The budget is per UTC day: a test begun in the day's last seconds waits for the next one.
    if (leftS < 30) await sleep(leftS * 1000 + 500);
    const sim = suite.simulator('budget');
    const before = sim.requests.length;
    const fingerprint = 'source_budget:zoho:60020003';

    for (let i = 0; i < 7; i += 1) await suite.list(i % 2 === 0 ? a() : b(), { account: 'budget' });
    await evaluate(a());
    expect(await alertsOf(suite.db, fingerprint)).toEqual([]);

    await suite.list(b(), { account: 'budget' });
    await evaluate(a());
    const [warning] = await alertsOf(suite.db, fingerprint);
    expect(warning).toMatchObject({
      rule: 'source_budget',
      severity: 'warning',
      status: 'active',
      message: 'zoho:60020003 has used 8 of its 10 requests today (80%, UTC day); warning at 80%',
      actual: { dayRequests: 8, dayBudget: 10, percent: 80 },
    });

    await suite.list(a(), { account: 'budget' });
    await suite.list(b(), { account: 'budget' });
    for (const app of [a(), b()]) {
      const error = (await suite.failure(app, { account: 'budget' })) as SourceError & { dayRequests: number; dayBudget: number };
      expect(error).toMatchObject({ code: 'SOURCE.DAILY_BUDGET_EXHAUSTED', retryable: true, dayRequests: 10, dayBudget: 10 });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(86_400_000);
    }
    // The refused calls never reached Zoho.
    expect(apiCalls(sim, before)).toHaveLength(10);
    await evaluate(a());
    expect((await alertsOf(suite.db, fingerprint)).map((alert) => [alert.status, alert.actual.dayRequests])).toEqual([['active', 10]]);
  });

  it('opens the breaker on a 5xx burst (source_circuit_open at once), fails fast, stays open on a failed trial, and closes when Zoho heals', async () => {
    const sim = suite.simulator('main');
    const account = suite.account(a(), 'main');
    const breakers = suite.breakers(a());
    const fingerprint = 'source_circuit_open:zoho:main';
    sim.failFor(600_000, 503);

    // Fails as unavailable until enough of the window failed; then the breaker is open.
    const failures: SourceError[] = [];
    while (breakers.state(account) === 'closed' && failures.length < 20) failures.push(await suite.failure(a(), { account: 'main' }));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    for (const failure of failures) expect(failure).toMatchObject({ code: 'SOURCE.UNAVAILABLE', httpStatus: 503 });
    expect(breakers.state(account)).toBe('open');

    // Fail fast: no request reaches Zoho, and the error says when the trial comes.
    const before = sim.requests.length;
    const fast = await suite.failure(a(), { account: 'main' });
    expect(fast).toMatchObject({ code: 'SOURCE.CIRCUIT_OPEN', retryable: true });
    expect(fast.retryAfterMs).toBeGreaterThan(0);
    expect(fast.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(sim.requests.length).toBe(before);

    // The breaker wrote its state and evaluated the alerts itself: the alert is there without an evaluation of ours.
    await breakers.settled();
    expect(await accountRow(suite.db, 'main')).toMatchObject({ breakerState: 'open', lastError: 'Zoho is unavailable for account "main": HTTP 503' });
    const [alert] = await alertsOf(suite.db, fingerprint);
    expect(alert).toMatchObject({ rule: 'source_circuit_open', severity: 'error', status: 'active', actual: { source: 'zoho', account: 'main', state: 'open' } });
    expect(alert.message).toContain('Calls to zoho account "main" fail fast: its circuit breaker is open');
    // Each instance has its own breaker: B's is untouched.
    expect(suite.breakers(b()).state(suite.account(b(), 'main'))).toBe('closed');

    // Half-open after the reset time; the trial fails while Zoho is still down, and the breaker opens again.
    await eventually(() => expect(breakers.state(account)).toBe('half_open'), 10_000, 50);
    expect(await suite.failure(a(), { account: 'main' })).toMatchObject({ code: 'SOURCE.UNAVAILABLE', httpStatus: 503 });
    expect(breakers.state(account)).toBe('open');
    await breakers.settled();
    expect((await alertsOf(suite.db, fingerprint)).map((x) => x.status)).toEqual(['active']);

    // Zoho heals: the next trial succeeds, the breaker closes, and the alert resolves.
    sim.failFor(0);
    await eventually(() => expect(breakers.state(account)).toBe('half_open'), 10_000, 50);
    expect((await suite.list(a(), { account: 'main' })).records).toHaveLength(5);
    expect(breakers.state(account)).toBe('closed');
    await breakers.settled();
    expect(await accountRow(suite.db, 'main')).toMatchObject({ breakerState: 'closed' });
    await evaluate(a());
    expect((await alertsOf(suite.db, fingerprint)).map((x) => x.status)).toEqual(['resolved']);
  });

  it('never puts a credential or an access token in an error, its details or a log line', () => {
    expect(suite.errors.length).toBeGreaterThanOrEqual(10);
    const secrets = [CLIENT_SECRET, REFRESH_TOKEN, ...suite.issuedTokens];
    expect(suite.issuedTokens.size).toBeGreaterThanOrEqual(4);
    const errorText = suite.errors.map((error) => `${String(error)} ${JSON.stringify(error)} ${JSON.stringify((error as { details?: unknown }).details)}`);
    expect(suite.logs.some((line) => line.includes('opened: calls fail fast'))).toBe(true);
    expect(suite.logs.some((line) => line.includes('rate limited account'))).toBe(true);
    for (const secret of secrets) {
      for (const text of [...errorText, ...suite.logs]) expect(text).not.toContain(secret);
    }
  });
});
