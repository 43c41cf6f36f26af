import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { WebhooksConfig } from '../../../shared/config/webhooks.config.js';
import { WEBHOOK_CLOCK } from './webhook-clock.js';
import type { Clock } from './webhook-clock.js';
import { WebhookSourceRegistry } from './webhook-source.registry.js';
import { WebhookAuthFloodError, WebhookRateLimitedError } from './webhook.errors.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Addresses whose failures are remembered. Past it the oldest entries go first (a Map keeps
 * insertion order), so a flood from many addresses costs bounded memory; an evicted address
 * merely starts again with a full bucket.
 */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Token buckets in this instance's memory, each refilling at its rate and holding one second of
 * it, so a burst up to the rate passes and a sustained flood is refused (429):
 * - per source, taken by authenticated deliveries only, before they cost a database write;
 * - per client address, taken by failed authentications only: a flood of bad signatures, from
 *   one address or many, never spends a source's tokens, so it cannot turn a signed sender's
 *   deliveries into 429s.
 */
@Injectable()
export class WebhookRateLimiter {
  private readonly sourceBuckets = new Map<string, Bucket>();
  private readonly failureBuckets = new Map<string, Bucket>();
  private readonly failureRate: number;

  constructor(
    private readonly sources: WebhookSourceRegistry,
    @Inject(WEBHOOK_CLOCK) private readonly now: Clock,
    config: ConfigService,
  ) {
    this.failureRate = config.getOrThrow<WebhooksConfig>('webhooks').failedAuthRateLimit;
  }

  /** Takes one delivery's token, or throws WebhookRateLimitedError (429, Retry-After). */
  take(sourceName: string): void {
    const source = this.sources.get(sourceName);
    if (!source) throw new Error(`Unknown webhook source "${sourceName}": look it up before limiting it`);
    const retryAfterS = this.takeToken(this.sourceBuckets, sourceName, source.rateLimit);
    if (retryAfterS !== undefined) throw new WebhookRateLimitedError(sourceName, retryAfterS);
  }

  /**
   * Counts a failed authentication from `address`; throws WebhookAuthFloodError (429) once
   * the address has used up its failures, which the caller answers instead of its 401.
   */
  failedAuthentication(address: string): void {
    const retryAfterS = this.takeToken(this.failureBuckets, address, this.failureRate);
    if (this.failureBuckets.size > MAX_TRACKED_ADDRESSES) {
      this.failureBuckets.delete(this.failureBuckets.keys().next().value as string);
    }
    if (retryAfterS !== undefined) throw new WebhookAuthFloodError(retryAfterS);
  }

  /** Undefined when a token was taken; else the seconds until one will be there. */
  private takeToken(buckets: Map<string, Bucket>, key: string, rate: number): number | undefined {
    const ratePerMs = rate / 1000;
    const now = this.now();
    const bucket = buckets.get(key) ?? { tokens: rate, refilledAt: now };
    // A clock stepped backwards refills nothing rather than draining the bucket.
    bucket.tokens = Math.min(rate, bucket.tokens + Math.max(0, now - bucket.refilledAt) * ratePerMs);
    bucket.refilledAt = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
    bucket.tokens -= 1;
    return undefined;
  }
}
