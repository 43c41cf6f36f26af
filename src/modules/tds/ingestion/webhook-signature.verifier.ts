import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { WebhooksConfig } from '../../../shared/config/webhooks.config.js';
import { headerValue } from './header-value.js';
import { WEBHOOK_CLOCK } from './webhook-clock.js';
import type { Clock } from './webhook-clock.js';
import type { IncomingDelivery } from './webhook-delivery.js';
import { WebhookUnauthorizedError } from './webhook.errors.js';

const HEX_DIGEST = /^[0-9a-f]{64}$/i;
/** 32 bytes in base64, standard or URL-safe alphabet, padded or not. */
const BASE64_DIGEST = /^[A-Za-z0-9+/_-]{43}=?$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** What a signature covers: checked on the raw bytes, before the body is parsed. */
export type SignedRequest = Pick<IncomingDelivery, 'source' | 'rawBody' | 'headers' | 'query'>;

/** The digest a signature header carries, hex or base64, with or without a `sha256=` prefix. */
function decodeSignature(header: string): Buffer | undefined {
  const text = header.replace(/^sha256=/i, '');
  if (HEX_DIGEST.test(text)) return Buffer.from(text, 'hex');
  if (BASE64_DIGEST.test(text)) return Buffer.from(text, 'base64');
  return undefined;
}

/**
 * The bytes the source signed, as chunks fed to the HMAC in order:
 * - `body`: the raw body, byte for byte as received.
 * - `query+body`: Zoho Billing's documented scheme ("Securing webhooks" in Zoho Billing /
 *   Subscriptions help): the query parameters sorted by name, each written as name then value
 *   with no separator at all, followed by the raw body. `?subscription_id=90343&name=basic` with
 *   body `{"a":1}` signs `namebasicsubscription_id90343{"a":1}`. Values are the decoded ones; a
 *   repeated parameter contributes each of its values in order.
 * With a timestamp header, the timestamp and a dot come first: `<timestamp>.<content>`.
 */
function signedChunks(delivery: SignedRequest, timestamp: string | undefined): (string | Buffer)[] {
  const chunks: (string | Buffer)[] = timestamp === undefined ? [] : [`${timestamp}.`];
  if (delivery.source.signedContent === 'query+body') {
    for (const name of Object.keys(delivery.query).sort()) {
      for (const value of [delivery.query[name] ?? []].flat()) chunks.push(name + value);
    }
  }
  chunks.push(delivery.rawBody);
  return chunks;
}

/**
 * Every secret is tried, each compared in constant time, with no early exit: the time taken
 * says neither whether nor which secret matched.
 */
function matchesAnySecret(secrets: readonly string[], chunks: (string | Buffer)[], given: Buffer): boolean {
  let matched = false;
  for (const secret of secrets) {
    const hmac = createHmac('sha256', secret);
    for (const chunk of chunks) hmac.update(chunk);
    if (timingSafeEqual(hmac.digest(), given)) matched = true;
  }
  return matched;
}

/**
 * Authenticates a delivery with its source's HMAC-SHA256 secrets (several during a rotation)
 * before anything is stored.
 */
@Injectable()
export class WebhookSignatureVerifier {
  private readonly toleranceS: number;

  constructor(
    config: ConfigService,
    @Inject(WEBHOOK_CLOCK) private readonly now: Clock,
  ) {
    this.toleranceS = config.getOrThrow<WebhooksConfig>('webhooks').timestampToleranceS;
  }

  /** Throws WebhookUnauthorizedError (401) unless the delivery carries a valid, fresh signature. */
  verify(delivery: SignedRequest): void {
    const { source } = delivery;
    if (source.secrets.length === 0) {
      throw new WebhookUnauthorizedError(
        'WEBHOOK.NO_SECRET_CONFIGURED',
        `Source "${source.name}" has no secret configured, so no delivery to it can be authenticated`,
        source,
      );
    }
    const signature = headerValue(delivery.headers, source.signatureHeader)?.trim();
    if (!signature) {
      throw new WebhookUnauthorizedError('WEBHOOK.MISSING_SIGNATURE', `The ${source.signatureHeader} header is required`, source);
    }
    const timestamp = this.freshTimestamp(delivery);
    const given = decodeSignature(signature);
    if (given === undefined || !matchesAnySecret(source.secrets, signedChunks(delivery, timestamp), given)) {
      throw new WebhookUnauthorizedError(
        'WEBHOOK.INVALID_SIGNATURE',
        `The ${source.signatureHeader} header is not a valid HMAC-SHA256 (hex or base64) of the signed content`,
        source,
      );
    }
  }

  /** The timestamp header's value when the source has one: required, Unix seconds, within the tolerance. */
  private freshTimestamp({ source, headers }: SignedRequest): string | undefined {
    if (source.timestampHeader === undefined) return undefined;
    const timestamp = headerValue(headers, source.timestampHeader)?.trim();
    if (!timestamp) {
      throw new WebhookUnauthorizedError('WEBHOOK.MISSING_TIMESTAMP', `The ${source.timestampHeader} header is required`, source);
    }
    if (!UNIX_SECONDS.test(timestamp)) {
      throw new WebhookUnauthorizedError('WEBHOOK.INVALID_TIMESTAMP', `The ${source.timestampHeader} header must be Unix seconds`, source);
    }
    if (Math.abs(this.now() / 1000 - Number(timestamp)) > this.toleranceS) {
      throw new WebhookUnauthorizedError(
        'WEBHOOK.STALE_TIMESTAMP',
        `The ${source.timestampHeader} header is more than ${this.toleranceS} s away from the receiver's clock`,
        source,
      );
    }
    return timestamp;
  }
}
