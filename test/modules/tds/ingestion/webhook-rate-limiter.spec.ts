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
    const sources = new WebhookSourceRegistry(configService({ sources: [zohoSource({ rateLimit: 5 }), genericSource({ rateLimit: 1000 })] }));
    limiter = new WebhookRateLimiter(sources, () => now);
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
});
