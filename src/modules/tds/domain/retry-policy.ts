import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { QueueConfig } from '../../../shared/config/queue.config.js';

/** A number in [0, 1); injectable so tests can pin the jitter. */
export type RandomSource = () => number;
export const RANDOM_SOURCE = Symbol('RANDOM_SOURCE');

export interface RetryDecision {
  /** null: no retry, dead-letter now. */
  delayMs: number | null;
  ceilingMs: number | null;
}

/**
 * Exponential backoff with full jitter: the ceiling doubles per failed attempt up to the cap,
 * and each delay is drawn uniformly below the ceiling, so retries of many items that failed
 * together spread out instead of stampeding back at once.
 */
@Injectable()
export class RetryPolicy {
  private readonly config: QueueConfig;

  constructor(
    config: ConfigService,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
  ) {
    this.config = config.getOrThrow<QueueConfig>('queue');
  }

  maxAttemptsFor(entityType: string): number {
    return this.config.maxAttemptsByType[entityType] ?? this.config.maxAttempts;
  }

  /** `failedAttempt` is 1 for the first failure. */
  ceilingMs(failedAttempt: number): number {
    const { backoffBaseMs, backoffCapMs } = this.config;
    return Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.min(failedAttempt - 1, 40));
  }

  decide(failedAttempt: number, maxAttempts: number, retryable: boolean): RetryDecision {
    if (!retryable || failedAttempt >= maxAttempts) return { delayMs: null, ceilingMs: null };
    const ceilingMs = this.ceilingMs(failedAttempt);
    return { delayMs: Math.floor(this.random() * ceilingMs), ceilingMs };
  }
}
