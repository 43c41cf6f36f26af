import { DomainError, NotFoundError, UnauthorizedError } from '../../../shared/errors/domain-error.js';
import type { WebhookSource } from './webhook-delivery.js';

/** Why a delivery was refused as unauthenticated (401; nothing is stored). */
export type WebhookAuthFailure =
  | 'WEBHOOK.NO_SECRET_CONFIGURED'
  | 'WEBHOOK.MISSING_SIGNATURE'
  | 'WEBHOOK.INVALID_SIGNATURE'
  | 'WEBHOOK.MISSING_TIMESTAMP'
  | 'WEBHOOK.INVALID_TIMESTAMP'
  | 'WEBHOOK.STALE_TIMESTAMP'
  | 'WEBHOOK.UNSIGNED_DELETE';

/** A 401 whose challenge tells the sender how this source authenticates: an HMAC in a header. */
export class WebhookUnauthorizedError extends UnauthorizedError {
  constructor(code: WebhookAuthFailure, message: string, source: WebhookSource) {
    super(code, message, `HMAC-SHA256 realm="${source.name}", header="${source.signatureHeader}"`);
  }
}

export class WebhookRateLimitedError extends DomainError {
  constructor(sourceName: string, retryAfterS: number) {
    super('WEBHOOK.RATE_LIMITED', 429, `Too many deliveries to source "${sourceName}"; retry after ${retryAfterS} s`, {
      headers: { 'Retry-After': String(retryAfterS) },
    });
  }
}

/** Too many failed authentications from one client address (429 in place of the 401). */
export class WebhookAuthFloodError extends DomainError {
  constructor(retryAfterS: number) {
    super('WEBHOOK.TOO_MANY_FAILURES', 429, `Too many deliveries from this address failed authentication; retry after ${retryAfterS} s`, {
      headers: { 'Retry-After': String(retryAfterS) },
    });
  }
}

export class UnknownWebhookSourceError extends NotFoundError {
  constructor() {
    super('WEBHOOK.UNKNOWN_SOURCE', 'No webhook source by this name is configured (TDS_SOURCES)');
  }
}
