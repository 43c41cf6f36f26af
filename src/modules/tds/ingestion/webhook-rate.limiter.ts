import { Inject, Injectable } from '@nestjs/common';
import { WEBHOOK_CLOCK } from './webhook-clock.js';
import type { Clock } from './webhook-clock.js';
import { WebhookSourceRegistry } from './webhook-source.registry.js';
import { WebhookRateLimitedError } from './webhook.errors.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * A token bucket per source, in this instance's memory: it refills at the source's rate and
 * holds one second of it, so a burst up to the rate passes and a sustained flood is refused
 * (429) before it costs a signature check or a database write.
 */
@Injectable()
export class WebhookRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly sources: WebhookSourceRegistry,
    @Inject(WEBHOOK_CLOCK) private readonly now: Clock,
  ) {}

  /** Takes one delivery's token, or throws WebhookRateLimitedError (429, Retry-After). */
  take(sourceName: string): void {
    const source = this.sources.get(sourceName);
    if (!source) throw new Error(`Unknown webhook source "${sourceName}": look it up before limiting it`);
    const ratePerMs = source.rateLimit / 1000;
    const now = this.now();
    const bucket = this.buckets.get(sourceName) ?? { tokens: source.rateLimit, refilledAt: now };
    // A clock stepped backwards refills nothing rather than draining the bucket.
    bucket.tokens = Math.min(source.rateLimit, bucket.tokens + Math.max(0, now - bucket.refilledAt) * ratePerMs);
    bucket.refilledAt = now;
    this.buckets.set(sourceName, bucket);
    if (bucket.tokens < 1) {
      throw new WebhookRateLimitedError(sourceName, Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)));
    }
    bucket.tokens -= 1;
  }
}
