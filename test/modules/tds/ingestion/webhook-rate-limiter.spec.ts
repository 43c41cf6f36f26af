import 'reflect-metadata';
import { DomainError } from '../../../../src/shared/errors/domain-error.js';
import { WebhookRateLimiter } from '../../../../src/modules/tds/ingestion/webhook-rate.limiter.js';
import { WebhookSourceRegistry } from '../../../../src/modules/tds/ingestion/webhook-source.registry.js';
import { configService, genericSource, NOW_MS, thrown, zohoSource } from './webhook-test-kit.js';

describe('WebhookRateLimiter', () => {
  let now: number;
  let limiter: WebhookRateLimiter;

  beforeEach(() => {
    now = NOW_MS;
    const config = configService({ sources: [zohoSource({ rateLimit: 5 }), genericSource({ rateLimit: 1000 })], failedAuthRateLimit: 3 });
    limiter = new WebhookRateLimiter(new WebhookSourceRegistry(config), () => now, config);
  });

  const takeAll = (name: string, n: number) => {
    for (let i = 0; i < n; i++) limiter.take(name);
  };

  it('lets one second of the rate through at once, then refuses with 429 WEBHOOK.RATE_LIMITED and Retry-After', () => {
    takeAll('zoho', 5);
    const error = thrown(() => limiter.take('zoho'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'WEBHOOK.RATE_LIMITED', status: 429, headers: { 'Retry-After': '1' } });
  });

  it('refills with the clock, at the rate', () => {
    takeAll('zoho', 5);
    now += 199; // just under one token (one per 200 ms)
    expect(() => limiter.take('zoho')).toThrow(DomainError);
    now += 1;
    expect(() => limiter.take('zoho')).not.toThrow();
    expect(() => limiter.take('zoho')).toThrow(DomainError);
    now += 10_000; // refills to the capacity, no further
    takeAll('zoho', 5);
    expect(() => limiter.take('zoho')).toThrow(DomainError);
  });

  it('keeps one bucket per source', () => {
    takeAll('zoho', 5);
    expect(() => limiter.take('zoho')).toThrow(DomainError);
    expect(() => takeAll('generic', 1000)).not.toThrow();
    expect(() => limiter.take('generic')).toThrow(DomainError);
  });

  it('refills nothing when the clock steps back', () => {
    takeAll('zoho', 5);
    now -= 60_000;
    expect(() => limiter.take('zoho')).toThrow(DomainError);
  });

  it('counts failed authentications per client address in their own buckets, apart from the sources', () => {
    for (let i = 0; i < 3; i++) limiter.failedAuthentication('10.0.0.1');
    expect(thrown(() => limiter.failedAuthentication('10.0.0.1'))).toMatchObject({
      code: 'WEBHOOK.TOO_MANY_FAILURES',
      status: 429,
      headers: { 'Retry-After': '1' },
    });
    // Another address has its own budget, and no source lost a token.
    expect(() => limiter.failedAuthentication('10.0.0.2')).not.toThrow();
    expect(() => takeAll('zoho', 5)).not.toThrow();
    now += 1000;
    expect(() => limiter.failedAuthentication('10.0.0.1')).not.toThrow();
  });

  it('remembers a bounded number of addresses, forgetting the oldest first', () => {
    for (let i = 0; i < 3; i++) limiter.failedAuthentication('first');
    for (let n = 0; n < 10_000; n++) limiter.failedAuthentication(`addr-${n}`);
    // Evicted: it starts again with a full bucket.
    expect(() => limiter.failedAuthentication('first')).not.toThrow();
  });
});
