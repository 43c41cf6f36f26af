import { inspect } from 'node:util';
import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { ConfigProblems, validateConfig } from './validate-config.js';

/**
 * A credential read from the environment. It prints as `[REDACTED]` whichever way it is turned
 * into text (JSON, a template string, util.inspect), so an account object that reaches a log
 * line, an error's details or an API answer carries no secret; `reveal()` is for the one place
 * that sends it to Zoho.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[REDACTED]';
  }

  toString(): string {
    return '[REDACTED]';
  }

  [inspect.custom](): string {
    return '[REDACTED]';
  }
}

/** Zoho's data centres; each has its own accounts (OAuth) server and API domain. */
export const ZOHO_REGIONS = ['com', 'eu', 'in', 'com.au', 'jp', 'ca', 'sa', 'uk'] as const;
export type ZohoRegion = (typeof ZOHO_REGIONS)[number];

export const ZOHO_PRODUCTS = ['inventory', 'books'] as const;
export type ZohoProduct = (typeof ZOHO_PRODUCTS)[number];

/** The list endpoints' prefix per product, before the entity type's path. */
export const ZOHO_PRODUCT_BASE: Readonly<Record<ZohoProduct, string>> = { inventory: '/inventory/v1/', books: '/books/v3/' };

/** Canada is the exception to accounts.zoho.<region>: Zoho serves it from zohocloud.ca (its multi-DC table). */
export function zohoRegionUrls(region: ZohoRegion): { accountsUrl: string; apiUrl: string } {
  return {
    accountsUrl: region === 'ca' ? 'https://accounts.zohocloud.ca' : `https://accounts.zoho.${region}`,
    apiUrl: `https://www.zohoapis.${region}`,
  };
}

/** One Zoho organisation TDS pulls from (TDS_ZOHO_ACCOUNTS and TDS_ZOHO_<NAME>_*). */
export interface ZohoAccount {
  name: string;
  /** The TDS source its records are stored under (the webhook source's name: one idempotency key per record version). */
  source: string;
  clientId: string;
  clientSecret: SecretValue;
  refreshToken: SecretValue;
  organizationId: string;
  region: ZohoRegion;
  product: ZohoProduct;
  /** Without a trailing slash. */
  accountsUrl: string;
  /** Without a trailing slash. */
  apiUrl: string;
  /** Requests per minute to the organisation, shared by every instance; 0 lifts the limit (still counted in the budget). */
  ratePerMinute: number;
  /** Requests that may go at once after a quiet spell. */
  rateBurst: number;
  /** Requests per UTC day to the organisation, every instance together. */
  dailyBudget: number;
}

export interface ZohoConfig {
  accounts: ZohoAccount[];
  breaker: {
    /** Failed share of the calls in the rolling window (10 s) above which the breaker opens. */
    errorPercent: number;
    /** Calls in the window before the share counts at all. */
    volume: number;
    /** How long the breaker stays open before one trial call (half-open). */
    resetMs: number;
  };
  /** One HTTP exchange with Zoho (token or list), headers and body. */
  timeoutMs: number;
  /** 429 answers waited out per list call before it fails with SOURCE.RATE_LIMITED. */
  rateLimitRetries: number;
  /** The longest single wait (a Retry-After, a shared token) a call sits out before failing instead. */
  maxWaitMs: number;
}

class ZohoEnv {
  @IsString() TDS_ZOHO_ACCOUNTS: string = '';
  @Type(() => Number) @IsInt() @Min(1) @Max(100) TDS_ZOHO_BREAKER_ERROR_PERCENT: number = 50;
  @Type(() => Number) @IsInt() @Min(1) @Max(10000) TDS_ZOHO_BREAKER_VOLUME: number = 5;
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) TDS_ZOHO_BREAKER_RESET_MS: number = 30_000;
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000) TDS_ZOHO_TIMEOUT_MS: number = 15_000;
  @Type(() => Number) @IsInt() @Min(0) @Max(100) TDS_ZOHO_RATE_LIMIT_RETRIES: number = 5;
  /** A minute: Zoho's window; a longer Retry-After is better handed to the caller (the run pauses) than slept through. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) TDS_ZOHO_MAX_WAIT_MS: number = 60_000;
}

const ACCOUNT_NAME = /^[a-z][a-z0-9_]*$/;
const SOURCE_NAME = /^[a-z][a-z0-9_]*$/;
/** Zoho organisation ids are numbers; anything else would only ever earn a 400 (code 6041). */
const ORGANIZATION_ID = /^\d{1,30}$/;
const MAX_RATE_PER_MINUTE = 100_000;
const MAX_DAILY_BUDGET = 100_000_000;

function readAccount(name: string, env: NodeJS.ProcessEnv, problems: ConfigProblems): ZohoAccount {
  const prefix = `TDS_ZOHO_${name.toUpperCase()}_`;
  const read = (suffix: string): [string, string | undefined] => {
    const value = env[prefix + suffix]?.trim();
    return [prefix + suffix, value === '' ? undefined : value];
  };
  // On a bad value these record the problem and go on with a stand-in, so that every problem
  // is reported before start-up stops.
  const required = (suffix: string): string => {
    const [variable, value] = read(suffix);
    if (value === undefined) problems.add(variable, `required for Zoho account "${name}"`);
    else if (/\s/.test(value)) problems.add(variable, 'must not contain whitespace');
    return value ?? '';
  };
  const oneOf = <T extends string>(suffix: string, allowed: readonly T[], fallback: T): T => {
    const [variable, value] = read(suffix);
    if (value === undefined) return fallback;
    if (allowed.includes(value as T)) return value as T;
    problems.add(variable, `must be one of ${allowed.join(', ')}`);
    return fallback;
  };
  const wholeNumber = (suffix: string, fallback: number, min: number, max: number, unit: string): number => {
    const [variable, value] = read(suffix);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (/^\d{1,10}$/.test(value) && n >= min && n <= max) return n;
    problems.add(variable, `must be a whole number of ${unit}, ${min} to ${max}`);
    return fallback;
  };
  const url = (suffix: string, fallback: string): string => {
    const [variable, value] = read(suffix);
    if (value === undefined) return fallback;
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
      problems.add(variable, 'must be an http or https URL without credentials, query or fragment');
      return fallback;
    }
    return value.replace(/\/+$/, '');
  };

  const clientId = required('CLIENT_ID');
  const clientSecret = required('CLIENT_SECRET');
  const refreshToken = required('REFRESH_TOKEN');
  const organizationId = required('ORGANIZATION_ID');
  if (organizationId !== '' && !ORGANIZATION_ID.test(organizationId)) problems.add(`${prefix}ORGANIZATION_ID`, 'must be digits (the Zoho organisation id)');
  const region = oneOf('REGION', ZOHO_REGIONS, 'com');
  const [sourceVariable, sourceValue] = read('SOURCE');
  if (sourceValue !== undefined && !SOURCE_NAME.test(sourceValue)) problems.add(sourceVariable, 'must be a lowercase source name: a-z first, then a-z 0-9 _');
  const urls = zohoRegionUrls(region);
  return {
    name,
    source: sourceValue ?? 'zoho',
    clientId,
    clientSecret: new SecretValue(clientSecret),
    refreshToken: new SecretValue(refreshToken),
    organizationId,
    region,
    product: oneOf('PRODUCT', ZOHO_PRODUCTS, 'inventory'),
    accountsUrl: url('ACCOUNTS_URL', urls.accountsUrl),
    apiUrl: url('API_URL', urls.apiUrl),
    ratePerMinute: wholeNumber('RATE_PER_MINUTE', 100, 0, MAX_RATE_PER_MINUTE, 'requests per minute (0 lifts the limit)'),
    rateBurst: wholeNumber('RATE_BURST', 10, 1, MAX_RATE_PER_MINUTE, 'requests'),
    dailyBudget: wholeNumber('DAILY_BUDGET', 10000, 1, MAX_DAILY_BUDGET, 'requests per day'),
  };
}

/**
 * Accounts of one organisation share its bucket in tds_rate_buckets (Zoho limits the
 * organisation, not the credentials); limits that disagree would take turns overwriting it.
 */
function checkSharedOrganizations(accounts: ZohoAccount[], problems: ConfigProblems): void {
  const first = new Map<string, ZohoAccount>();
  for (const account of accounts) {
    if (account.organizationId === '') continue;
    const earlier = first.get(account.organizationId);
    if (!earlier) {
      first.set(account.organizationId, account);
      continue;
    }
    for (const [suffix, key] of [
      ['RATE_PER_MINUTE', 'ratePerMinute'],
      ['RATE_BURST', 'rateBurst'],
      ['DAILY_BUDGET', 'dailyBudget'],
    ] as const) {
      if (account[key] !== earlier[key]) {
        problems.add(
          `TDS_ZOHO_${account.name.toUpperCase()}_${suffix}`,
          `must equal TDS_ZOHO_${earlier.name.toUpperCase()}_${suffix}: both accounts pull the same organisation, which has one limit`,
        );
      }
    }
  }
}

/** Reads the Zoho accounts and the connector's settings; also used outside Nest (tests). */
export function loadZohoConfig(env: NodeJS.ProcessEnv = process.env): ZohoConfig {
  const e = validateConfig(ZohoEnv, env);
  const problems = new ConfigProblems();
  const listed = e.TDS_ZOHO_ACCOUNTS.trim();
  const names = listed === '' ? [] : listed.split(',').map((name) => name.trim());
  names.forEach((name, index) => {
    if (!ACCOUNT_NAME.test(name)) problems.add('TDS_ZOHO_ACCOUNTS', `entry ${index + 1} must be a lowercase name: a-z first, then a-z 0-9 _`);
    else if (names.indexOf(name) !== index) problems.add('TDS_ZOHO_ACCOUNTS', `entry ${index + 1} repeats an account listed before it`);
  });
  problems.throwIfAny();
  const accounts = names.map((name) => readAccount(name, env, problems));
  checkSharedOrganizations(accounts, problems);
  problems.throwIfAny();
  return {
    accounts,
    breaker: { errorPercent: e.TDS_ZOHO_BREAKER_ERROR_PERCENT, volume: e.TDS_ZOHO_BREAKER_VOLUME, resetMs: e.TDS_ZOHO_BREAKER_RESET_MS },
    timeoutMs: e.TDS_ZOHO_TIMEOUT_MS,
    rateLimitRetries: e.TDS_ZOHO_RATE_LIMIT_RETRIES,
    maxWaitMs: e.TDS_ZOHO_MAX_WAIT_MS,
  };
}

export const zohoConfig = registerAs('zoho', (): ZohoConfig => loadZohoConfig());
