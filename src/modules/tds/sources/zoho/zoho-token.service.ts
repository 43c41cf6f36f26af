import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../../../shared/config/app.config.js';
import type { ZohoAccount, ZohoConfig } from '../../../../shared/config/zoho.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { bodyExcerpt } from './body-excerpt.js';
import { SourceAuthError, SourceBadResponseError, SourceError, SourceUnavailableError } from './source.errors.js';
import {
  INVALIDATE_TOKEN_SQL,
  MARK_AUTH_FAILED_SQL,
  READ_TOKEN_SQL,
  RELEASE_REFRESH_LEASE_SQL,
  STORE_TOKEN_SQL,
  TAKE_REFRESH_LEASE_SQL,
} from './source-account.sql.js';

/** A token this close to its expiry is refreshed before use: a page fetched with it must not meet its end halfway. */
export const TOKEN_REFRESH_MARGIN_S = 60;
/** How often a caller waiting for another instance's refresh looks at the row again. */
const LEASE_POLL_MS = 100;
/** On top of the token call's own timeout: a holder that died is taken over this long after its lease began. */
const LEASE_SLACK_S = 5;
/** Zoho's error codes are short snake_case words; anything else is not repeated. */
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

interface TokenRow {
  accessToken: string | null;
  fresh: boolean;
  refreshing: boolean;
  authState: 'ok' | 'failed';
  authError: string | null;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  expires_in_sec?: unknown;
  error?: unknown;
}

/**
 * The OAuth refresh-token flow of each Zoho account, shared by every instance through
 * tds_source_accounts: one access token per account for all of them, refreshed before it
 * expires, by one caller at a time (the refresh lease; callers in this instance share its
 * promise, those elsewhere poll the row until the token is there). No transaction is open
 * while Zoho is called. The credentials never reach a log line or an error: messages name the
 * account and Zoho's error code.
 */
@Injectable()
export class ZohoTokenService implements OnModuleDestroy {
  private readonly logger = new Logger(ZohoTokenService.name);
  private readonly instanceId: string;
  private readonly timeoutMs: number;
  private readonly leaseS: number;
  private readonly refreshing = new Map<string, Promise<string>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    config: ConfigService,
  ) {
    this.instanceId = config.getOrThrow<AppConfig>('app').instanceId;
    this.timeoutMs = config.getOrThrow<ZohoConfig>('zoho').timeoutMs;
    this.leaseS = Math.ceil(this.timeoutMs / 1000) + LEASE_SLACK_S;
  }

  onModuleDestroy(): void {
    this.stopping.abort();
  }

  /** A working access token: the stored one while it has more than the margin left, else a refreshed one. */
  async accessToken(account: ZohoAccount): Promise<string> {
    const row = await this.read(account);
    if (row?.fresh && row.accessToken) return row.accessToken;
    const key = `${account.source}:${account.name}`;
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.obtain(account).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  /** Zoho refused `token` (401) before its expiry: the next accessToken() refreshes, unless another caller already did. */
  async invalidate(account: ZohoAccount, token: string): Promise<void> {
    await this.dataSource.query(INVALIDATE_TOKEN_SQL, [account.source, account.name, token]);
  }

  /** The credentials do not work (a fresh token refused too): the account's state says so until a refresh succeeds. */
  async markFailed(account: ZohoAccount, reason: string, refusedToken: string | null): Promise<void> {
    await this.dataSource.query(MARK_AUTH_FAILED_SQL, [account.source, account.name, null, reason, refusedToken]);
    this.logger.error(`Zoho account "${account.name}" (source ${account.source}) failed to authenticate: ${reason}`);
  }

  private async read(account: ZohoAccount): Promise<TokenRow | undefined> {
    const [row] = await queryRows<TokenRow>(this.dataSource, READ_TOKEN_SQL, [account.source, account.name, TOKEN_REFRESH_MARGIN_S]);
    return row;
  }

  /**
   * Takes the lease and refreshes, or waits for whoever holds it. A refresh that another
   * instance saw refused (the lease released, no token, the credentials marked failed) fails
   * this caller too, rather than asking Zoho again with the same refused token.
   */
  private async obtain(account: ZohoAccount): Promise<string> {
    const deadline = Date.now() + this.leaseS * 1000 + this.timeoutMs;
    let sawOtherRefresh = false;
    for (;;) {
      const row = await this.read(account);
      if (row?.fresh && row.accessToken) return row.accessToken;
      if (!row?.refreshing) {
        if (sawOtherRefresh && row?.authState === 'failed') {
          throw new SourceAuthError(account, row.authError ?? 'Zoho refused the refresh token');
        }
        const holder = `${this.instanceId}:${randomUUID()}`;
        const [won] = await queryRows(this.dataSource, TAKE_REFRESH_LEASE_SQL, [account.source, account.name, holder, this.leaseS, TOKEN_REFRESH_MARGIN_S]);
        if (won) return this.refresh(account, holder);
      }
      sawOtherRefresh = true;
      if (Date.now() > deadline) throw new SourceUnavailableError(account, 'a token refresh by another instance did not finish in time');
      try {
        await sleep(LEASE_POLL_MS, undefined, { signal: this.stopping.signal });
      } catch {
        throw new SourceUnavailableError(account, 'the application is shutting down');
      }
    }
  }

  /** The refresh-token grant, with the lease held; the lease is released whatever happens. */
  private async refresh(account: ZohoAccount, holder: string): Promise<string> {
    const started = performance.now();
    try {
      const answer = await this.callTokenEndpoint(account);
      if (answer.error !== undefined) {
        const code = typeof answer.error === 'string' && ERROR_CODE.test(answer.error) ? answer.error : 'unrecognised error';
        const reason = `Zoho refused the refresh token (${code})`;
        await this.dataSource.query(MARK_AUTH_FAILED_SQL, [account.source, account.name, holder, reason, null]);
        this.logger.error(`Zoho account "${account.name}" (source ${account.source}) failed to authenticate: ${reason}`);
        throw new SourceAuthError(account, reason);
      }
      const token = answer.access_token as string;
      const lifetimeS = tokenLifetimeS(answer) - (performance.now() - started) / 1000;
      const [stored] = await queryRows(this.dataSource, STORE_TOKEN_SQL, [account.source, account.name, holder, token, lifetimeS]);
      // A lease that ran out meanwhile belongs to another caller now; this token still works for this one.
      if (!stored) this.logger.warn(`The token refresh of Zoho account "${account.name}" outlasted its lease; its token was not stored`);
      else this.logger.log(`Refreshed the access token of Zoho account "${account.name}" (valid ${Math.round(lifetimeS)} s)`);
      return token;
    } catch (error) {
      if (!(error instanceof SourceAuthError)) {
        const reason = error instanceof SourceError ? error.message : 'the token refresh failed';
        await this.dataSource
          .query(RELEASE_REFRESH_LEASE_SQL, [account.source, account.name, holder, reason])
          .catch((releaseError: unknown) => this.logger.warn(`Could not release the refresh lease of Zoho account "${account.name}": ${String(releaseError)}`));
      }
      throw error;
    }
  }

  /** POSTs the grant (a form body: a URL may be logged along the way, a body is not). Resolves to Zoho's JSON. */
  private async callTokenEndpoint(account: ZohoAccount): Promise<TokenAnswer> {
    const secrets = [account.clientSecret.reveal(), account.refreshToken.reveal()];
    const form = new URLSearchParams({
      refresh_token: account.refreshToken.reveal(),
      client_id: account.clientId,
      client_secret: account.clientSecret.reveal(),
      grant_type: 'refresh_token',
    });
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${account.accountsUrl}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new SourceUnavailableError(account, `the token request failed: ${describeFetchError(error, this.timeoutMs)}`, undefined, undefined, undefined);
    }
    if (status >= 500) throw new SourceUnavailableError(account, `the token endpoint answered HTTP ${status}`, status, bodyExcerpt(text, secrets));
    let answer: TokenAnswer;
    try {
      answer = JSON.parse(text) as TokenAnswer;
    } catch {
      throw new SourceBadResponseError(account, 'the token endpoint answered no JSON', status, bodyExcerpt(text, secrets));
    }
    if (typeof answer !== 'object' || answer === null) {
      throw new SourceBadResponseError(account, 'the token endpoint answered no JSON object', status, bodyExcerpt(text, secrets));
    }
    // Zoho answers a refused grant 200 with an `error` field; a 4xx with one means the same.
    if (answer.error !== undefined) return answer;
    if (status !== 200 || typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new SourceBadResponseError(account, 'the token endpoint answered without an access token', status, bodyExcerpt(text, secrets));
    }
    return answer;
  }
}

/** Zoho says `expires_in` (seconds); older answers also had `expires_in_sec`. An hour when neither is usable. */
function tokenLifetimeS(answer: TokenAnswer): number {
  for (const value of [answer.expires_in_sec, answer.expires_in]) {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  }
  return 3600;
}

/** A fetch failure in a few words, without the request (whose URL or headers may carry what it sent). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  return 'network error';
}
