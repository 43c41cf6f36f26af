import { setTimeout as sleep } from 'node:timers/promises';
import { describePostgres } from '../../../../support/test-database.js';
import { alertsOf, evaluate } from '../../alerts/alerts-test-kit.js';
import { accountRow, apiCalls, CLIENT_SECRET, REFRESH_TOKEN, useZohoSuite } from './zoho-test-kit.js';

const ORG = '60010001';

describePostgres('Zoho connector: the OAuth refresh-token flow shared by two instances', () => {
  const suite = useZohoSuite([{ name: 'main', organizationId: ORG, settings: { RATE_PER_MINUTE: '0' } }]);
  const sim = () => suite.simulator('main');
  const [a, b] = [() => suite.apps[0], () => suite.apps[1]];
  const row = () => accountRow(suite.db, 'main');

  it('lists a page as Zoho sends it, with organization_id, Zoho paging and sort, and the modified-since filter in UTC', async () => {
    const products = sim().records('product');
    for (const app of [a(), b()]) {
      expect(await suite.list(app, { account: 'main', entityType: 'product', page: 1 })).toEqual({ module: 'item', records: products, hasMore: false, page: 1 });
    }

    const before = sim().requests.length;
    // 10:15:30.750 at +02:00 is 08:15:30 UTC, to the second.
    const since = new Date('2026-12-04T10:15:30.750+02:00');
    const filtered = await suite.list(a(), { account: 'main', entityType: 'customer', page: 2, modifiedSince: since });
    expect(filtered).toEqual({ module: 'contact', records: [], hasMore: false, page: 2 });
    const [call] = apiCalls(sim(), before);
    expect(call).toMatchObject({ method: 'GET', path: '/inventory/v1/contacts', status: 200, organizationId: ORG });
    expect(call.query).toEqual({
      organization_id: ORG,
      page: '2',
      per_page: '200',
      sort_column: 'last_modified_time',
      sort_order: 'A',
      last_modified_time: '2026-12-04T08:15:30+0000',
    });
  });

  it('refreshes once for two instances asking at the same time, and both use that token', async () => {
    await suite.db.query(`DELETE FROM tds_source_accounts`);
    sim().expireAccessTokens();
    const refreshes = sim().tokenRefreshes;
    const before = sim().requests.length;

    // The refresh takes a while (the answer is held back), so every caller arrives while it is under way.
    suite.afterTokenAnswer = () => sleep(300);
    const pages = await Promise.all([a(), b(), a(), b(), a(), b()].map((app) => suite.list(app, { account: 'main' }))).finally(() => {
      suite.afterTokenAnswer = undefined;
    });

    expect(pages.every((page) => page.records.length === 5)).toBe(true);
    expect(sim().tokenRefreshes - refreshes).toBe(1);
    const calls = apiCalls(sim(), before);
    expect(calls.map((call) => call.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const stored = await row();
    expect(stored).toMatchObject({ authState: 'ok', authError: null });
    expect(suite.issuedTokens.has(stored!.accessToken!)).toBe(true);
    // About an hour, less the time the token call took.
    expect(stored!.expiresInS).toBeGreaterThan(3500);
    expect(stored!.expiresInS).toBeLessThanOrEqual(3600);
  });

  it('refreshes a token within 60 s of its expiry before using it, and not one with more time left', async () => {
    await suite.list(a(), { account: 'main' });
    const { accessToken: old } = (await row())!;
    let refreshes = sim().tokenRefreshes;

    // Two minutes left: used as it is.
    await suite.db.query(`UPDATE tds_source_accounts SET token_expires_at = clock_timestamp() + interval '120 seconds'`);
    await suite.list(b(), { account: 'main' });
    expect(sim().tokenRefreshes).toBe(refreshes);
    expect((await row())!.accessToken).toBe(old);

    // Thirty seconds left (Zoho would still take it): replaced first, and no call ever meets a 401.
    await suite.db.query(`UPDATE tds_source_accounts SET token_expires_at = clock_timestamp() + interval '30 seconds'`);
    const before = sim().requests.length;
    await suite.list(b(), { account: 'main' });
    expect(sim().tokenRefreshes).toBe(refreshes + 1);
    refreshes += 1;
    expect(apiCalls(sim(), before).map((call) => call.status)).toEqual([200]);
    const fresh = (await row())!;
    expect(fresh.accessToken).not.toBe(old);
    expect(fresh.expiresInS).toBeGreaterThan(3500);

    // The other instance takes the new token from the database: no refresh of its own.
    await suite.list(a(), { account: 'main' });
    expect(sim().tokenRefreshes).toBe(refreshes);
  });

  it('meets an expired token mid-use with one refresh and a retry, and the other instance takes the new token', async () => {
    await suite.list(a(), { account: 'main' });
    const refreshes = sim().tokenRefreshes;
    sim().expireAccessTokens();
    const before = sim().requests.length;

    const page = await suite.list(a(), { account: 'main' });
    expect(page.records).toHaveLength(5);
    expect(sim().tokenRefreshes).toBe(refreshes + 1);
    expect(apiCalls(sim(), before).map((call) => call.status)).toEqual([401, 200]);

    const afterA = sim().requests.length;
    await suite.list(b(), { account: 'main' });
    expect(sim().tokenRefreshes).toBe(refreshes + 1);
    expect(apiCalls(sim(), afterA).map((call) => call.status)).toEqual([200]);
  });

  it('fails loudly when a freshly refreshed token is refused too: one refresh, one retry, SOURCE.AUTH_FAILED, no loop', async () => {
    await suite.list(a(), { account: 'main' });
    const refreshes = sim().tokenRefreshes;
    sim().expireAccessTokens();
    // Zoho refuses even the token it has just issued.
    suite.afterTokenAnswer = () => sim().expireAccessTokens();
    const before = sim().requests.length;
    try {
      const error = await suite.failure(a(), { account: 'main' });
      expect(error).toMatchObject({ code: 'SOURCE.AUTH_FAILED', retryable: false, source: 'zoho', account: 'main' });
      expect(error.message).toBe('Zoho account "main" could not authenticate: Zoho refused a freshly refreshed access token (HTTP 401)');
    } finally {
      suite.afterTokenAnswer = undefined;
    }
    expect(sim().tokenRefreshes).toBe(refreshes + 1);
    expect(apiCalls(sim(), before).map((call) => call.status)).toEqual([401, 401]);
    expect(await row()).toMatchObject({ authState: 'failed', accessToken: null });

    // Once Zoho takes tokens again, the next call refreshes and the account is healthy again.
    await suite.list(b(), { account: 'main' });
    expect(await row()).toMatchObject({ authState: 'ok', authError: null });
  });

  it('fails on a revoked refresh token with SOURCE.AUTH_FAILED on every instance, marks the account and raises source_auth_failed', async () => {
    await evaluate(a());
    sim().revokeRefreshToken();

    const errors = await Promise.all([a(), b()].map((app) => suite.failure(app, { account: 'main' })));
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'SOURCE.AUTH_FAILED', retryable: false, status: 502 });
      expect(error.message).toBe('Zoho account "main" could not authenticate: Zoho refused the refresh token (invalid_code)');
    }
    expect(await row()).toMatchObject({ authState: 'failed', authError: 'Zoho refused the refresh token (invalid_code)', accessToken: null });

    await evaluate(a());
    const [alert] = (await alertsOf(suite.db, 'source_auth_failed:zoho:main')).filter((x) => x.status !== 'resolved');
    expect(alert).toMatchObject({
      rule: 'source_auth_failed',
      severity: 'critical',
      status: 'active',
      message: 'zoho account "main" cannot authenticate: Zoho refused the refresh token (invalid_code); nothing is pulled until its credentials are renewed',
      actual: { source: 'zoho', account: 'main', authError: 'Zoho refused the refresh token (invalid_code)' },
    });

    // Renewed credentials: the next refresh succeeds, the account is ok again and the alert resolves.
    sim().restoreRefreshToken();
    await suite.list(b(), { account: 'main' });
    expect(await row()).toMatchObject({ authState: 'ok', authError: null });
    await evaluate(a());
    expect((await alertsOf(suite.db, 'source_auth_failed:zoho:main')).map((x) => x.status)).not.toContain('active');
  });

  it('never puts a credential or an access token in an error, its details or a log line', () => {
    expect(suite.errors.length).toBeGreaterThanOrEqual(3);
    expect(suite.issuedTokens.size).toBeGreaterThanOrEqual(4);
    const secrets = [CLIENT_SECRET, REFRESH_TOKEN, ...suite.issuedTokens];
    const errorText = suite.errors.map((error) => `${String(error)} ${JSON.stringify(error)} ${JSON.stringify((error as { details?: unknown }).details)}`);
    // The logs did record the flow (so their silence about secrets means something).
    expect(suite.logs.some((line) => line.includes('Refreshed the access token of Zoho account \\"main\\"'))).toBe(true);
    expect(suite.logs.some((line) => line.includes('failed to authenticate'))).toBe(true);
    for (const secret of secrets) {
      for (const text of [...errorText, ...suite.logs]) expect(text).not.toContain(secret);
    }
  });
});
