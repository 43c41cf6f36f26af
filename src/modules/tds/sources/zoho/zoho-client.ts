import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ZOHO_PRODUCT_BASE } from '../../../../shared/config/zoho.config.js';
import type { ZohoAccount, ZohoConfig } from '../../../../shared/config/zoho.config.js';
import { bodyExcerpt } from './body-excerpt.js';
import {
  SourceAuthError,
  SourceBadResponseError,
  SourceRateLimitedError,
  SourceRequestRejectedError,
  SourceUnavailableError,
  UnknownSourceAccountError,
} from './source.errors.js';
import { SourceRateLimiter } from './source-rate.limiter.js';
import { ZohoCircuitBreakers } from './zoho-circuit-breaker.js';
import { isZohoEntityType, ZOHO_ENTITY_TYPE_INFO } from './zoho-entity-types.js';
import type { ZohoEntityType, ZohoEntityTypeInfo } from './zoho-entity-types.js';
import { describeFetchError, ZohoTokenService } from './zoho-token.service.js';

export interface ZohoListRequest {
  account: string;
  entityType: ZohoEntityType;
  /** 1-based. */
  page: number;
  /** Records with last_modified_time at or after this instant (Zoho compares whole seconds: it is floored to one). */
  modifiedSince?: Date;
}

export interface ZohoListPage {
  /** The webhook body's key ('item', 'contact', …): `{ [module]: record }` is what ZohoDeliveryMapper maps. */
  module: string;
  /** As Zoho sent them, in its order (last_modified_time, then id, ascending); validating them is the mapper's job. */
  records: Record<string, unknown>[];
  hasMore: boolean;
  page: number;
}

/** Zoho's largest page. */
export const ZOHO_PER_PAGE = 200;

/** Without a Retry-After, 429s are waited out for 1 s, 2 s, 4 s, … */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** `2026-12-04T10:15:30+0000`: Zoho's last_modified_time, in UTC, to the second. */
export function zohoTimestampFilter(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // An HTTP date starts with its day name (IMF-fixdate and the obsolete forms); Date.parse alone takes "1.5" for a date.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type Attempt =
  | { kind: 'page'; status: number; body: Record<string, unknown>; text: string }
  | { kind: 'unauthorized'; token: string }
  | { kind: 'rate_limited'; retryAfter: string | null }
  | { kind: 'rejected'; status: number; excerpt: string };

/**
 * Zoho Inventory / Books list endpoints for the configured accounts. One call of listPage:
 * the account's circuit breaker (fails fast while open) → a token from the organisation's
 * shared bucket (waits; the daily budget) → an access token (refreshed before expiry, shared
 * by every instance) → GET. A 401 drops that token and tries once more with a fresh one, then
 * fails (SourceAuthError, the account marked failed: an alert); a 429 is waited out
 * (Retry-After, every instance holding back) a bounded number of times; a 5xx, a network
 * error or a timeout is SourceUnavailableError and a broken 2xx SourceBadResponseError, both
 * counted by the breaker. Every error says the HTTP status and a redacted excerpt of the body
 * where there was one; no credential ever reaches an error or a log line.
 */
@Injectable()
export class ZohoClient {
  private readonly logger = new Logger(ZohoClient.name);
  private readonly config: ZohoConfig;
  private readonly byName: Map<string, ZohoAccount>;

  constructor(
    config: ConfigService,
    private readonly tokens: ZohoTokenService,
    private readonly limiter: SourceRateLimiter,
    private readonly breakers: ZohoCircuitBreakers,
  ) {
    this.config = config.getOrThrow<ZohoConfig>('zoho');
    this.byName = new Map(this.config.accounts.map((account) => [account.name, account]));
  }

  /** The configured accounts (TDS_ZOHO_ACCOUNTS), in their listed order. Their credentials print as [REDACTED]. */
  accounts(): readonly ZohoAccount[] {
    return this.config.accounts;
  }

  /** One page of one entity type. Throws the SourceError subclasses of source.errors.ts, or UnknownSourceAccountError. */
  async listPage(request: ZohoListRequest): Promise<ZohoListPage> {
    const account = this.byName.get(request.account);
    if (!account) throw new UnknownSourceAccountError(request.account);
    if (!isZohoEntityType(request.entityType)) throw new TypeError(`Zoho lists no entity type "${String(request.entityType)}"`);
    if (!Number.isInteger(request.page) || request.page < 1) throw new RangeError('ZohoListRequest.page must be a whole number from 1');
    if (request.modifiedSince !== undefined && Number.isNaN(request.modifiedSince.getTime())) throw new RangeError('ZohoListRequest.modifiedSince is not a date');
    const info = ZOHO_ENTITY_TYPE_INFO[request.entityType];
    const url = listUrl(account, info, request);

    let refreshedAfter401 = false;
    let rateLimited = 0;
    for (;;) {
      this.breakers.assertCallable(account);
      await this.limiter.take(account);
      const attempt = await this.breakers.run(account, () => this.attempt(account, info, url));
      switch (attempt.kind) {
        case 'page':
          return {
            module: info.moduleKey,
            records: attempt.body[info.responseKey] as Record<string, unknown>[],
            hasMore: (attempt.body.page_context as { has_more_page: boolean }).has_more_page,
            page: request.page,
          };
        case 'unauthorized':
          if (refreshedAfter401) {
            const reason = 'Zoho refused a freshly refreshed access token (HTTP 401)';
            await this.tokens.markFailed(account, reason, attempt.token);
            throw new SourceAuthError(account, reason);
          }
          refreshedAfter401 = true;
          this.logger.warn(`Zoho refused the access token of account "${account.name}" (HTTP 401) before its expiry; refreshing once`);
          await this.tokens.invalidate(account, attempt.token);
          continue;
        case 'rate_limited': {
          const told = retryAfterMs(attempt.retryAfter);
          const waitMs = told ?? DEFAULT_RETRY_AFTER_MS * 2 ** rateLimited;
          if (rateLimited >= this.config.rateLimitRetries || waitMs > this.config.maxWaitMs) {
            throw new SourceRateLimitedError(account, waitMs, `HTTP 429 after ${rateLimited} wait${rateLimited === 1 ? '' : 's'}`);
          }
          rateLimited += 1;
          this.logger.warn(`Zoho rate limited account "${account.name}" (HTTP 429); waiting ${waitMs} ms`);
          await this.limiter.backOff(account, waitMs);
          await this.limiter.pause(account, waitMs);
          continue;
        }
        case 'rejected':
          throw new SourceRequestRejectedError(account, attempt.status, attempt.excerpt);
      }
    }
  }

  /** One exchange: an access token, the GET, its status sorted out. Throws what the breaker counts. */
  private async attempt(account: ZohoAccount, info: ZohoEntityTypeInfo, url: URL): Promise<Attempt> {
    const token = await this.tokens.accessToken(account);
    const secrets = [account.clientSecret.reveal(), account.refreshToken.reveal(), token];
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Zoho-oauthtoken ${token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await readBody(response, account, this.config.timeoutMs, secrets);
    } catch (error) {
      if (error instanceof SourceBadResponseError) throw error;
      throw new SourceUnavailableError(account, describeFetchError(error, this.config.timeoutMs), undefined, undefined);
    }
    if (status === 401) return { kind: 'unauthorized', token };
    if (status === 429) return { kind: 'rate_limited', retryAfter };
    if (status >= 500) throw new SourceUnavailableError(account, `HTTP ${status}`, status, bodyExcerpt(text, secrets));
    if (status >= 400) return { kind: 'rejected', status, excerpt: bodyExcerpt(text, secrets) };
    const bad = (reason: string) => new SourceBadResponseError(account, reason, status, bodyExcerpt(text, secrets));
    if (status !== 200) throw bad('a list answers 200');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw bad('the body is not JSON (or was cut short)');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body is not a JSON object');
    const answer = body as Record<string, unknown>;
    if (answer.code !== undefined && answer.code !== 0) throw bad(`Zoho's code is ${JSON.stringify(answer.code)}, not 0`);
    if (!Array.isArray(answer[info.responseKey])) throw bad(`the list "${info.responseKey}" is missing`);
    const context = answer.page_context as { has_more_page?: unknown } | undefined;
    if (typeof context !== 'object' || context === null || typeof context.has_more_page !== 'boolean') {
      throw bad('page_context.has_more_page is missing');
    }
    return { kind: 'page', status, body: answer, text };
  }
}

function listUrl(account: ZohoAccount, info: ZohoEntityTypeInfo, request: ZohoListRequest): URL {
  const url = new URL(`${account.apiUrl}${ZOHO_PRODUCT_BASE[account.product]}${info.path}`);
  url.searchParams.set('organization_id', account.organizationId);
  url.searchParams.set('page', String(request.page));
  url.searchParams.set('per_page', String(ZOHO_PER_PAGE));
  url.searchParams.set('sort_column', 'last_modified_time');
  url.searchParams.set('sort_order', 'A');
  if (request.modifiedSince) url.searchParams.set('last_modified_time', zohoTimestampFilter(request.modifiedSince));
  return url;
}

/**
 * The body as text. A 2xx whose body breaks off (the connection closed early) is a bad
 * response with what did arrive; a timeout while reading is Zoho being slow (unavailable).
 */
async function readBody(response: Response, account: ZohoAccount, timeoutMs: number, secrets: readonly string[]): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    if (!timedOut && response.status >= 200 && response.status < 300) {
      throw new SourceBadResponseError(account, `the body broke off (${describeFetchError(error, timeoutMs)})`, response.status, bodyExcerpt(text, secrets));
    }
    throw error;
  }
}
