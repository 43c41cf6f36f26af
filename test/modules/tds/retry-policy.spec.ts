import { ConfigService } from '@nestjs/config';
import { RetryPolicy } from '../../../src/modules/tds/domain/retry-policy.js';

function policy(random: () => number) {
  const queue = { backoffBaseMs: 100, backoffCapMs: 1_000, maxAttempts: 5, maxAttemptsByType: { invoice: 2 } };
  return new RetryPolicy(new ConfigService({ queue }), random);
}

describe('RetryPolicy', () => {
  it('doubles the ceiling per failed attempt up to the cap', () => {
    const p = policy(() => 0.5);
    expect([1, 2, 3, 4, 5, 6].map((n) => p.ceilingMs(n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws each delay below the ceiling from the random source (full jitter)', () => {
    expect(policy(() => 0).decide(3, 5, true)).toEqual({ delayMs: 0, ceilingMs: 400 });
    expect(policy(() => 0.5).decide(3, 5, true)).toEqual({ delayMs: 200, ceilingMs: 400 });
    expect(policy(() => 0.999999).decide(3, 5, true).delayMs).toBe(399);
  });

  it('stops retrying at max attempts and on permanent errors', () => {
    const p = policy(() => 0.5);
    expect(p.decide(5, 5, true)).toEqual({ delayMs: null, ceilingMs: null });
    expect(p.decide(1, 5, false)).toEqual({ delayMs: null, ceilingMs: null });
    expect(p.decide(4, 5, true).delayMs).not.toBeNull();
  });

  it('takes max attempts per entity type', () => {
    const p = policy(() => 0.5);
    expect(p.maxAttemptsFor('invoice')).toBe(2);
    expect(p.maxAttemptsFor('product')).toBe(5);
  });
});
