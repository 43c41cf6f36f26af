import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { ZohoAccount, ZohoConfig } from '../../../../shared/config/zoho.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { SourceBudgetExhaustedError, SourceRateLimitedError, SourceUnavailableError } from './source.errors.js';
import { BACK_OFF_RATE_BUCKET_SQL, SEED_RATE_BUCKET_SQL, TAKE_RATE_TOKEN_SQL } from './source-rate.sql.js';

interface TakeResult {
  taken: boolean;
  dayRequests: number;
  budgetExhausted: boolean;
  waitMs: number;
}

/** The organisation's requests today after a take, for whoever wants to report them. */
export interface RateTake {
  dayRequests: number;
  dayBudget: number;
}

/**
 * Zoho limits the organisation, whichever credentials call: one bucket per organisation
 * (`zoho:<organization id>`), shared by every account and instance pulling from it.
 */
export const rateBucketKey = (account: Pick<ZohoAccount, 'organizationId'>): string => `zoho:${account.organizationId}`;

/**
 * The shared request rate and daily budget (tds_rate_buckets): every request to Zoho's API
 * takes a token first, whichever instance sends it.
 */
@Injectable()
export class SourceRateLimiter implements OnModuleDestroy {
  private readonly maxWaitMs: number;
  private readonly stopping = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    config: ConfigService,
  ) {
    this.maxWaitMs = config.getOrThrow<ZohoConfig>('zoho').maxWaitMs;
  }

  onModuleDestroy(): void {
    this.stopping.abort();
  }

  /**
   * Waits for a token, however many callers share the bucket. Throws SourceBudgetExhaustedError
   * when the day's budget is used up, and SourceRateLimitedError when the next token is further
   * away than the longest wait (TDS_ZOHO_MAX_WAIT_MS): the caller is better off pausing.
   */
  async take(account: ZohoAccount): Promise<RateTake> {
    const started = Date.now();
    for (;;) {
      const result = await this.tryTake(account);
      if (result.taken) return { dayRequests: result.dayRequests, dayBudget: account.dailyBudget };
      if (result.budgetExhausted) throw new SourceBudgetExhaustedError(account, result.dayRequests, account.dailyBudget, result.waitMs);
      // A little jitter: callers that found the bucket empty together do not all come back at the same instant.
      const waitMs = Math.ceil(result.waitMs * (1 + Math.random() * 0.2));
      if (Date.now() - started + waitMs > this.maxWaitMs) {
        throw new SourceRateLimitedError(account, result.waitMs, 'the shared request rate is used up by other callers');
      }
      await this.pause(account, waitMs);
    }
  }

  /** Holds the organisation's bucket back for `waitMs` (Zoho's Retry-After), for every instance. */
  async backOff(account: ZohoAccount, waitMs: number): Promise<void> {
    if (account.ratePerMinute === 0) return;
    await this.dataSource.query(BACK_OFF_RATE_BUCKET_SQL, [rateBucketKey(account), account.ratePerMinute / 60, account.rateBurst, waitMs]);
  }

  /** Sleeps, unless the app is shutting down meanwhile. */
  async pause(account: ZohoAccount, ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopping.signal });
    } catch {
      throw new SourceUnavailableError(account, 'the application is shutting down');
    }
  }

  private async tryTake(account: ZohoAccount): Promise<TakeResult> {
    const key = rateBucketKey(account);
    const params = [key, account.ratePerMinute / 60, account.rateBurst, account.dailyBudget];
    let [row] = await queryRows<TakeResult>(this.dataSource, TAKE_RATE_TOKEN_SQL, params);
    if (!row) {
      await this.dataSource.query(SEED_RATE_BUCKET_SQL, [key, account.rateBurst, account.dailyBudget]);
      [row] = await queryRows<TakeResult>(this.dataSource, TAKE_RATE_TOKEN_SQL, params);
    }
    return { taken: row.taken, dayRequests: Number(row.dayRequests), budgetExhausted: row.budgetExhausted, waitMs: Number(row.waitMs) };
  }
}
