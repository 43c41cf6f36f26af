import 'reflect-metadata';
import { inspect } from 'node:util';
import { loadZohoConfig, ZOHO_REGIONS, zohoRegionUrls } from '../../../src/shared/config/zoho.config.js';

const SECRET = 'client-secret-3f9a7c1e';
const REFRESH = '1000.refresh-token-8b2d4e6f';

/** A complete account `name` (upper-cased in its variables). */
function account(name: string, extra: Record<string, string> = {}): Record<string, string> {
  const prefix = `TDS_ZOHO_${name.toUpperCase()}_`;
  const env: Record<string, string> = {
    [`${prefix}CLIENT_ID`]: `1000.client-${name}`,
    [`${prefix}CLIENT_SECRET`]: SECRET,
    [`${prefix}REFRESH_TOKEN`]: REFRESH,
    [`${prefix}ORGANIZATION_ID`]: '60012345',
  };
  for (const [suffix, value] of Object.entries(extra)) env[prefix + suffix] = value;
  return env;
}

function configError(env: Record<string, string>): string {
  try {
    loadZohoConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('Zoho configuration', () => {
  it('has no account by default: nothing is pulled', () => {
    expect(loadZohoConfig({})).toEqual({
      accounts: [],
      breaker: { errorPercent: 50, volume: 5, resetMs: 30000 },
      timeoutMs: 15000,
      rateLimitRetries: 5,
      maxWaitMs: 60000,
    });
  });

  it('reads an account with its defaults: region com, Inventory, the zoho source, 100/min, burst 10, 10000/day', () => {
    const [main] = loadZohoConfig({ TDS_ZOHO_ACCOUNTS: 'main', ...account('main') }).accounts;
    expect(main).toMatchObject({
      name: 'main',
      source: 'zoho',
      clientId: '1000.client-main',
      organizationId: '60012345',
      region: 'com',
      product: 'inventory',
      accountsUrl: 'https://accounts.zoho.com',
      apiUrl: 'https://www.zohoapis.com',
      ratePerMinute: 100,
      rateBurst: 10,
      dailyBudget: 10000,
    });
    expect(main.clientSecret.reveal()).toBe(SECRET);
    expect(main.refreshToken.reveal()).toBe(REFRESH);
  });

  it('takes every per-account setting, and the breaker and timeouts', () => {
    const config = loadZohoConfig({
      TDS_ZOHO_ACCOUNTS: ' main , books_eu ',
      ...account('main', { ACCOUNTS_URL: 'http://127.0.0.1:4100/', API_URL: 'http://127.0.0.1:4100', RATE_PER_MINUTE: '0' }),
      ...account('books_eu', { REGION: 'eu', PRODUCT: 'books', SOURCE: 'zoho_eu', RATE_BURST: '3', DAILY_BUDGET: '2500', ORGANIZATION_ID: '70011' }),
      TDS_ZOHO_BREAKER_ERROR_PERCENT: '25',
      TDS_ZOHO_BREAKER_VOLUME: '3',
      TDS_ZOHO_BREAKER_RESET_MS: '500',
      TDS_ZOHO_TIMEOUT_MS: '2000',
      TDS_ZOHO_RATE_LIMIT_RETRIES: '2',
      TDS_ZOHO_MAX_WAIT_MS: '5000',
    });
    expect(config.accounts.map((a) => a.name)).toEqual(['main', 'books_eu']);
    expect(config.accounts[0]).toMatchObject({ accountsUrl: 'http://127.0.0.1:4100', apiUrl: 'http://127.0.0.1:4100', ratePerMinute: 0 });
    expect(config.accounts[1]).toMatchObject({
      source: 'zoho_eu',
      region: 'eu',
      product: 'books',
      accountsUrl: 'https://accounts.zoho.eu',
      apiUrl: 'https://www.zohoapis.eu',
      rateBurst: 3,
      dailyBudget: 2500,
      organizationId: '70011',
    });
    expect(config).toMatchObject({ breaker: { errorPercent: 25, volume: 3, resetMs: 500 }, timeoutMs: 2000, rateLimitRetries: 2, maxWaitMs: 5000 });
  });

  it.each(ZOHO_REGIONS.map((region) => [region]))('knows the accounts server and API domain of region %s', (region) => {
    const [only] = loadZohoConfig({ TDS_ZOHO_ACCOUNTS: 'a', ...account('a', { REGION: region }) }).accounts;
    expect({ accountsUrl: only.accountsUrl, apiUrl: only.apiUrl }).toEqual(zohoRegionUrls(region));
    expect(only.apiUrl).toBe(`https://www.zohoapis.${region}`);
    // Canada is served from zohocloud.ca, every other data centre from accounts.zoho.<region>.
    expect(only.accountsUrl).toBe(region === 'ca' ? 'https://accounts.zohocloud.ca' : `https://accounts.zoho.${region}`);
  });

  it('reports every problem at once, naming each variable and never a value', () => {
    const message = configError({
      TDS_ZOHO_ACCOUNTS: 'main,second',
      ...account('main', { REGION: 'mars', PRODUCT: 'crm', RATE_PER_MINUTE: '-1', API_URL: `ftp://${SECRET}@example.com`, ORGANIZATION_ID: `org-${SECRET}` }),
      TDS_ZOHO_SECOND_CLIENT_ID: 'client',
      TDS_ZOHO_SECOND_CLIENT_SECRET: `${SECRET} with spaces`,
    });
    for (const line of [
      'TDS_ZOHO_MAIN_REGION: must be one of com, eu, in, com.au, jp, ca, sa, uk',
      'TDS_ZOHO_MAIN_PRODUCT: must be one of inventory, books',
      'TDS_ZOHO_MAIN_RATE_PER_MINUTE: must be a whole number',
      'TDS_ZOHO_MAIN_API_URL: must be an http or https URL',
      'TDS_ZOHO_MAIN_ORGANIZATION_ID: must be digits',
      'TDS_ZOHO_SECOND_CLIENT_SECRET: must not contain whitespace',
      'TDS_ZOHO_SECOND_REFRESH_TOKEN: required for Zoho account "second"',
      'TDS_ZOHO_SECOND_ORGANIZATION_ID: required for Zoho account "second"',
    ]) {
      expect(message).toContain(line);
    }
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('mars');
  });

  it.each([
    ['an upper-case name', 'Main', 'entry 1 must be a lowercase name'],
    ['a trailing comma', 'main,', 'entry 2 must be a lowercase name'],
    ['a repeated name', 'main,main', 'entry 2 repeats an account listed before it'],
  ])('refuses TDS_ZOHO_ACCOUNTS with %s', (_label, accounts, reason) => {
    expect(configError({ TDS_ZOHO_ACCOUNTS: accounts, ...account('main') })).toContain(`TDS_ZOHO_ACCOUNTS: ${reason}`);
  });

  it('refuses two accounts of one organisation with different limits: they share its bucket', () => {
    const message = configError({
      TDS_ZOHO_ACCOUNTS: 'one,two',
      ...account('one'),
      ...account('two', { RATE_PER_MINUTE: '50', DAILY_BUDGET: '100' }),
    });
    expect(message).toContain('TDS_ZOHO_TWO_RATE_PER_MINUTE: must equal TDS_ZOHO_ONE_RATE_PER_MINUTE');
    expect(message).toContain('TDS_ZOHO_TWO_DAILY_BUDGET: must equal TDS_ZOHO_ONE_DAILY_BUDGET');
    expect(message).not.toContain('RATE_BURST');
  });

  it.each([
    ['TDS_ZOHO_BREAKER_ERROR_PERCENT', '0'],
    ['TDS_ZOHO_BREAKER_VOLUME', 'many'],
    ['TDS_ZOHO_BREAKER_RESET_MS', '10'],
    ['TDS_ZOHO_TIMEOUT_MS', '-5'],
  ])('refuses %s=%s', (variable, value) => {
    expect(configError({ [variable]: value })).toContain(variable);
  });

  it('keeps the credentials out of every printed form of the configuration', () => {
    const config = loadZohoConfig({ TDS_ZOHO_ACCOUNTS: 'main', ...account('main') });
    const [main] = config.accounts;
    for (const printed of [JSON.stringify(config), inspect(config, { depth: 10 }), `${main.clientSecret} ${main.refreshToken}`, String(Object.values(main))]) {
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toContain(REFRESH);
    }
    expect(JSON.stringify(main)).toContain('"clientSecret":"[REDACTED]"');
  });
});
