import { eventually } from '../../../../support/spawn-app.js';
import { alertsOf, evaluate } from '../../alerts/alerts-test-kit.js';
import { accountRow, apiCalls, useZohoSuite } from './zoho-test-kit.js';

/*
 * The embedded database has one connection for everything: the connector's statements (the
 * refresh lease, the bucket's row lock, the breaker's writes and the alert evaluation they
 * start) must work there too, without waiting on each other.
 */
describe('Zoho connector on the embedded PGlite', () => {
  const suite = useZohoSuite(
    [
      { name: 'main', organizationId: '60030001', settings: { RATE_PER_MINUTE: '600', RATE_BURST: '5', DAILY_BUDGET: '12' } },
    ],
    { TDS_ZOHO_BREAKER_VOLUME: '2', TDS_ZOHO_BREAKER_RESET_MS: '500' },
    { backend: 'pglite' },
  );
  const app = () => suite.apps[0];
  const sim = () => suite.simulator('main');

  it('refreshes, shares the token between concurrent calls, and retries a 401 once', async () => {
    const pages = await Promise.all([1, 2, 3].map(() => suite.list(app(), { account: 'main' })));
    expect(pages.map((page) => page.records.length)).toEqual([5, 5, 5]);
    expect(sim().tokenRefreshes).toBe(1);

    sim().expireAccessTokens();
    const before = sim().requests.length;
    await suite.list(app(), { account: 'main' });
    expect(sim().tokenRefreshes).toBe(2);
    expect(apiCalls(sim(), before).map((call) => call.status)).toEqual([401, 200]);
    expect(await accountRow(suite.db, 'main')).toMatchObject({ authState: 'ok' });
  });

  it('opens the breaker and raises its alert, and closes it again', async () => {
    const account = suite.account(app(), 'main');
    const breakers = suite.breakers(app());
    sim().failFor(60_000, 500);
    while (breakers.state(account) === 'closed') expect(await suite.failure(app(), { account: 'main' })).toMatchObject({ code: 'SOURCE.UNAVAILABLE' });
    await breakers.settled();
    expect((await alertsOf(suite.db, 'source_circuit_open:zoho:main')).map((alert) => alert.status)).toEqual(['active']);

    sim().failFor(0);
    await eventually(() => expect(breakers.state(account)).toBe('half_open'), 10_000, 50);
    await suite.list(app(), { account: 'main' });
    await breakers.settled();
    await evaluate(app());
    expect((await alertsOf(suite.db, 'source_circuit_open:zoho:main')).map((alert) => alert.status)).toEqual(['resolved']);
  });

  it('counts the budget and refuses past it', async () => {
    // Every call so far that reached Zoho counted (401s and 5xx included); the ones refused by the open breaker did not.
    for (let call = 0; call < 20; call += 1) {
      const outcome = await suite.list(app(), { account: 'main' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (outcome === undefined) continue;
      expect(outcome).toMatchObject({ code: 'SOURCE.DAILY_BUDGET_EXHAUSTED', dayRequests: 12, dayBudget: 12 });
      break;
    }
    expect(await suite.failure(app(), { account: 'main' })).toMatchObject({ code: 'SOURCE.DAILY_BUDGET_EXHAUSTED' });
    expect(apiCalls(sim())).toHaveLength(12);
  });
});
