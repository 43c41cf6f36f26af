import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import type { ZohoAccount } from '../../../../../src/shared/config/zoho.config.js';
import { SourceError } from '../../../../../src/modules/tds/sources/zoho/source.errors.js';
import { ZohoCircuitBreakers } from '../../../../../src/modules/tds/sources/zoho/zoho-circuit-breaker.js';
import { ZohoClient } from '../../../../../src/modules/tds/sources/zoho/zoho-client.js';
import type { ZohoListPage, ZohoListRequest } from '../../../../../src/modules/tds/sources/zoho/zoho-client.js';
import { ZohoSimulator } from '../../../../../tools/zoho-simulator/zoho-simulator.js';
import type { SimulatorRequest, ZohoSimulatorOptions } from '../../../../../tools/zoho-simulator/zoho-simulator.js';
import { createTestApp, type TestApp } from '../../../../support/create-test-app.js';
import { rows } from '../../../../support/queue-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../../support/test-database.js';

/** The credentials every simulated account accepts; none of them may appear in an error or a log line. */
export const CLIENT_ID = '1000.ZOHOTESTCLIENT0123456789';
export const CLIENT_SECRET = 'zoho-client-secret-5c0f9d27e1b34a68';
export const REFRESH_TOKEN = '1000.7d1e0c2b9a8f4e3d.b6a5c4d3e2f1a0b9c8d7';

/** One configured account, served by a simulator of its own (its organisation). */
export interface AccountSetup {
  name: string;
  organizationId: string;
  /** TDS_ZOHO_<NAME>_* suffixes, e.g. { RATE_PER_MINUTE: '0' }. */
  settings?: Record<string, string>;
  simulator?: Partial<ZohoSimulatorOptions>;
}

export interface SuiteOptions {
  /** Default postgres: a fresh database with two instances on it; pglite: one instance on an in-memory database (B is A). */
  backend?: 'postgres' | 'pglite';
}

export interface ZohoSuite {
  /** Two instances on one database: A and B (on PGlite, the one instance twice). */
  readonly apps: [NestFastifyApplication, NestFastifyApplication];
  readonly db: DataSource;
  simulator(account: string): ZohoSimulator;
  account(app: NestFastifyApplication, name: string): ZohoAccount;
  breakers(app: NestFastifyApplication): ZohoCircuitBreakers;
  /** listPage through the app's ZohoClient; every error it throws is kept for the secrecy check. */
  list(app: NestFastifyApplication, request: Partial<ZohoListRequest> & { account: string }): Promise<ZohoListPage>;
  /** The error listPage throws (failing the test when it resolves). */
  failure(app: NestFastifyApplication, request: Partial<ZohoListRequest> & { account: string }): Promise<SourceError>;
  /** Awaited after each token answer arrives, before TDS reads it (tests slow the refresh down, or break the fresh token). */
  afterTokenAnswer: (() => Promise<void> | void) | undefined;
  /** Every log line both apps wrote, every error listPage threw, every access token Zoho issued. */
  readonly logs: string[];
  readonly errors: unknown[];
  readonly issuedTokens: Set<string>;
}

const quietEnv = {
  TDS_API_KEYS: 'admin:zoho-connector-test-key-0123456789',
  TDS_WORKERS_ENABLED: 'false',
  TDS_JOBS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  LOG_LEVEL: 'info',
};

/** The env of one account pointing at its simulator. */
function accountEnv(setup: AccountSetup, simulator: ZohoSimulator): Record<string, string> {
  const prefix = `TDS_ZOHO_${setup.name.toUpperCase()}_`;
  const env: Record<string, string> = {
    [`${prefix}CLIENT_ID`]: CLIENT_ID,
    [`${prefix}CLIENT_SECRET`]: CLIENT_SECRET,
    [`${prefix}REFRESH_TOKEN`]: REFRESH_TOKEN,
    [`${prefix}ORGANIZATION_ID`]: setup.organizationId,
    [`${prefix}ACCOUNTS_URL`]: simulator.url,
    [`${prefix}API_URL`]: simulator.url,
  };
  for (const [suffix, value] of Object.entries(setup.settings ?? {})) env[prefix + suffix] = value;
  return env;
}

const urlOf = (input: Parameters<typeof fetch>[0]): string => (input instanceof Request ? input.url : String(input));

/**
 * Declares the suite's fixtures: a PostgreSQL database, one simulator per account (a few
 * products each), and two apps on that database with the accounts configured. Fetch is
 * observed (not changed) to learn the access tokens Zoho issues.
 */
export function useZohoSuite(accounts: AccountSetup[], env: Record<string, string> = {}, options: SuiteOptions = {}): ZohoSuite {
  const backend = options.backend ?? 'postgres';
  let database: TestDatabase | undefined;
  const testApps: TestApp[] = [];
  const simulators = new Map<string, ZohoSimulator>();
  let fetchSpy: jest.SpyInstance | undefined;
  const logs: string[] = [];
  const errors: unknown[] = [];
  const issuedTokens = new Set<string>();

  const suite: ZohoSuite = {
    get apps() {
      return [testApps[0].app, (testApps[1] ?? testApps[0]).app] as [NestFastifyApplication, NestFastifyApplication];
    },
    get db() {
      return testApps[0].app.get(DataSource);
    },
    simulator: (name) => simulators.get(name)!,
    account: (app, name) => app.get(ZohoClient).accounts().find((a) => a.name === name)!,
    breakers: (app) => app.get(ZohoCircuitBreakers),
    list: async (app, request) => {
      try {
        return await app.get(ZohoClient).listPage({ entityType: 'product', page: 1, ...request });
      } catch (error) {
        errors.push(error);
        throw error;
      }
    },
    failure: async (app, request) => {
      const outcome = await suite.list(app, request).then(
        (page) => ({ page }),
        (error: unknown) => ({ error }),
      );
      if (!('error' in outcome)) throw new Error(`expected listPage to fail; it answered ${outcome.page.records.length} records`);
      expect(outcome.error).toBeInstanceOf(SourceError);
      return outcome.error as SourceError;
    },
    afterTokenAnswer: undefined,
    logs,
    errors,
    issuedTokens,
  };

  beforeAll(async () => {
    if (backend === 'postgres') database = await createTestDatabase();
    for (const setup of accounts) {
      const simulator = await ZohoSimulator.start({
        organizationId: setup.organizationId,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        refreshToken: REFRESH_TOKEN,
        ...setup.simulator,
      });
      simulator.seed({ products: 5, warehouses: 2, customers: 0, invoices: 0, salesOrders: 0, priceBooks: 0 });
      simulators.set(setup.name, simulator);
    }
    const realFetch = globalThis.fetch;
    fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      if (urlOf(input).endsWith('/oauth/v2/token')) {
        const answer = (await response
          .clone()
          .json()
          .catch(() => undefined)) as { access_token?: string } | undefined;
        if (answer?.access_token) issuedTokens.add(answer.access_token);
        await suite.afterTokenAnswer?.();
      }
      return response;
    });
    const appEnv: Record<string, string> = {
      ...quietEnv,
      // Empty counts as unset, overriding a DATABASE_URL from the outer environment.
      ...(database ? { DATABASE_URL: database.url } : { DATABASE_URL: '', TDS_DATA_DIR: 'memory' }),
      TDS_ZOHO_ACCOUNTS: accounts.map((a) => a.name).join(','),
      ...Object.assign({}, ...accounts.map((setup) => accountEnv(setup, simulators.get(setup.name)!))),
      ...env,
    };
    const destination = { write: (line: string) => void logs.push(line) };
    // One after the other: the first runs the migrations.
    for (const instance of backend === 'postgres' ? ['zoho-a', 'zoho-b'] : ['zoho-a']) {
      testApps.push(await createTestApp({ ...appEnv, TDS_INSTANCE_ID: instance }, { logDestination: destination }));
    }
  });

  afterAll(async () => {
    for (const testApp of testApps) await testApp.close();
    for (const simulator of simulators.values()) await simulator.stop();
    fetchSpy?.mockRestore();
    await database?.drop();
  });

  return suite;
}

/** The API calls a simulator answered (token calls left out), from `since` (an index into its log). */
export const apiCalls = (simulator: ZohoSimulator, since = 0): SimulatorRequest[] =>
  simulator.requests.slice(since).filter((request) => request.path !== '/oauth/v2/token');

export interface AccountRow {
  accessToken: string | null;
  authState: string;
  authError: string | null;
  breakerState: string;
  lastError: string | null;
  expiresInS: number | null;
}

export async function accountRow(db: DataSource, account: string, source = 'zoho'): Promise<AccountRow | undefined> {
  const [row] = await rows<AccountRow>(
    db,
    `SELECT access_token AS "accessToken", auth_state AS "authState", auth_error AS "authError", breaker_state AS "breakerState",
            last_error AS "lastError", extract(epoch FROM token_expires_at - clock_timestamp())::float8 AS "expiresInS"
     FROM tds_source_accounts WHERE source = $1 AND account = $2`,
    [source, account],
  );
  return row;
}
