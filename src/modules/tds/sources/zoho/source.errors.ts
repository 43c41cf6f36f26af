import { DomainError } from '../../../../shared/errors/domain-error.js';

/** The account a failure is about: a configured ZohoAccount fits. Errors keep its names only, never its credentials. */
export interface SourceAccountRef {
  source: string;
  name: string;
}

/**
 * A failure talking to a source (Zoho). `retryable` says whether the same call may succeed
 * later without anyone changing anything; `retryAfterMs`, when set, how long to wait first.
 * Messages and details name the account and the HTTP status, never a credential: a body
 * excerpt is redacted before it gets here.
 */
export abstract class SourceError extends DomainError {
  abstract readonly retryable: boolean;
  declare readonly retryAfterMs?: number;
  readonly source: string;
  readonly account: string;

  protected constructor(code: string, status: number, message: string, ref: SourceAccountRef, details: Record<string, unknown> = {}, cause?: unknown) {
    super(code, status, message, { details: { source: ref.source, account: ref.name, ...details }, cause });
    this.source = ref.source;
    this.account = ref.name;
  }
}

/** The credentials do not work: the refresh token was refused, or a fresh access token answered 401. */
export class SourceAuthError extends SourceError {
  readonly retryable = false;

  constructor(ref: SourceAccountRef, reason: string) {
    super('SOURCE.AUTH_FAILED', 502, `Zoho account "${ref.name}" could not authenticate: ${reason}`, ref);
  }
}

/** A 5xx answer, a network error or a timeout. */
export class SourceUnavailableError extends SourceError {
  readonly retryable = true;

  constructor(
    ref: SourceAccountRef,
    reason: string,
    readonly httpStatus?: number,
    readonly bodyExcerpt?: string,
    cause?: unknown,
  ) {
    super('SOURCE.UNAVAILABLE', 503, `Zoho is unavailable for account "${ref.name}": ${reason}`, ref, { httpStatus, bodyExcerpt }, cause);
  }
}

/** A 2xx whose body is not JSON, is cut short, or lacks what a list answer holds. */
export class SourceBadResponseError extends SourceError {
  readonly retryable = true;

  constructor(
    ref: SourceAccountRef,
    reason: string,
    readonly httpStatus: number,
    readonly bodyExcerpt: string,
  ) {
    super('SOURCE.BAD_RESPONSE', 502, `Zoho answered account "${ref.name}" with a malformed response (HTTP ${httpStatus}): ${reason}`, ref, {
      httpStatus,
      bodyExcerpt,
    });
  }
}

/**
 * A 4xx other than 401 and 429 (an unknown organisation id: code 6041, a refused parameter):
 * the request itself is wrong, so repeating it changes nothing. Not a sign Zoho is down.
 */
export class SourceRequestRejectedError extends SourceError {
  readonly retryable = false;

  constructor(
    ref: SourceAccountRef,
    readonly httpStatus: number,
    readonly bodyExcerpt: string,
  ) {
    super('SOURCE.REQUEST_REJECTED', 502, `Zoho refused the request of account "${ref.name}" (HTTP ${httpStatus}): ${bodyExcerpt}`, ref, {
      httpStatus,
      bodyExcerpt,
    });
  }
}

/** This instance's circuit breaker for the account is open: calls fail fast until it half-opens. */
export class SourceCircuitOpenError extends SourceError {
  readonly retryable = true;

  constructor(
    ref: SourceAccountRef,
    override readonly retryAfterMs: number,
  ) {
    super('SOURCE.CIRCUIT_OPEN', 503, `Calls to Zoho for account "${ref.name}" are suspended after repeated failures; next trial in ${retryAfterMs} ms`, ref, {
      retryAfterMs,
    });
  }
}

/** The organisation's requests for this UTC day are used up; `retryAfterMs` runs to the next UTC midnight. */
export class SourceBudgetExhaustedError extends SourceError {
  readonly retryable = true;

  constructor(
    ref: SourceAccountRef,
    readonly dayRequests: number,
    readonly dayBudget: number,
    override readonly retryAfterMs: number,
  ) {
    super(
      'SOURCE.DAILY_BUDGET_EXHAUSTED',
      503,
      `The daily request budget for Zoho account "${ref.name}" is used up (${dayRequests} of ${dayBudget}); it renews at 00:00 UTC`,
      ref,
      { dayRequests, dayBudget, retryAfterMs },
    );
  }
}

/** Zoho kept answering 429, or asked for a wait longer than the client sits out. */
export class SourceRateLimitedError extends SourceError {
  readonly retryable = true;

  constructor(
    ref: SourceAccountRef,
    override readonly retryAfterMs: number,
    reason: string,
  ) {
    super('SOURCE.RATE_LIMITED', 503, `Zoho is rate limiting account "${ref.name}": ${reason}; retry after ${retryAfterMs} ms`, ref, { retryAfterMs });
  }
}

/** A list call named an account that is not configured (TDS_ZOHO_ACCOUNTS). */
export class UnknownSourceAccountError extends DomainError {
  constructor(account: string) {
    super('SOURCE.UNKNOWN_ACCOUNT', 404, `No Zoho account "${account}" is configured (TDS_ZOHO_ACCOUNTS)`);
  }
}
