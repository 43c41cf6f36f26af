import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CommandBus } from '@nestjs/cqrs';
import CircuitBreaker from 'opossum';
import { DataSource } from 'typeorm';
import type { ZohoAccount, ZohoConfig } from '../../../../shared/config/zoho.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { EvaluateAlertsCommand } from '../../commands/evaluate-alerts/evaluate-alerts.command.js';
import type { SourceBreakerState } from '../../entities/source-account.entity.js';
import { SourceBadResponseError, SourceCircuitOpenError, SourceUnavailableError } from './source.errors.js';
import { MARK_BREAKER_CLOSED_SQL, SET_BREAKER_STATE_SQL } from './source-account.sql.js';

type Action = () => Promise<unknown>;

interface AccountBreaker {
  account: ZohoAccount;
  breaker: CircuitBreaker<[Action], unknown>;
  openedAt: number;
  lastError: string | null;
}

/** While a half-open breaker's one trial call is out, others are told to come back this soon. */
const HALF_OPEN_RETRY_MS = 1000;

/**
 * Only what says Zoho itself is unwell counts against the breaker: 5xx, network errors,
 * timeouts and broken bodies. A refused credential, a 429, the day's budget or a 4xx mean
 * Zoho answered: they pass through without counting as failures.
 */
export const countsAgainstBreaker = (error: unknown): boolean => error instanceof SourceUnavailableError || error instanceof SourceBadResponseError;

/**
 * One opossum circuit breaker per Zoho account in this instance. It opens when more than
 * TDS_ZOHO_BREAKER_ERROR_PERCENT of the calls in its rolling window (10 s, at least
 * TDS_ZOHO_BREAKER_VOLUME of them) failed; calls then fail fast (SourceCircuitOpenError) until,
 * TDS_ZOHO_BREAKER_RESET_MS later, one trial call decides between closed and open again.
 * Each change is written to tds_source_accounts (best effort: a failed write is logged, the
 * breaker works on) and the alert rules are evaluated at once, so source_circuit_open shows
 * without waiting for the next scheduled evaluation. The writes of one account run one after
 * the other, in the order of the changes.
 */
@Injectable()
export class ZohoCircuitBreakers implements OnModuleDestroy {
  private readonly logger = new Logger(ZohoCircuitBreakers.name);
  private readonly settings: ZohoConfig['breaker'];
  private readonly breakers = new Map<string, AccountBreaker>();
  private readonly writes = new Map<string, Promise<void>>();
  /** Accounts with a closing write queued after a success; one is enough. */
  private readonly closing = new Set<string>();

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
  ) {
    this.settings = config.getOrThrow<ZohoConfig>('zoho').breaker;
  }

  async onModuleDestroy(): Promise<void> {
    for (const { breaker } of this.breakers.values()) breaker.shutdown();
    await Promise.all(this.writes.values());
  }

  /** Throws SourceCircuitOpenError when the account's breaker would refuse a call now (checked before a rate token is spent). */
  assertCallable(account: ZohoAccount): void {
    const entry = this.entry(account);
    if (entry.breaker.opened) throw this.openError(entry);
  }

  /** Runs `action` through the account's breaker. */
  async run<T>(account: ZohoAccount, action: () => Promise<T>): Promise<T> {
    const entry = this.entry(account);
    try {
      const result = (await entry.breaker.fire(action)) as T;
      this.noteSuccess(entry);
      return result;
    } catch (error) {
      // opossum refuses a call while open (or while a half-open trial is out) with this code.
      if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'EOPENBREAKER') throw this.openError(entry);
      throw error;
    }
  }

  /** This instance's breaker for the account (closed when it has made no call yet). */
  state(account: ZohoAccount): SourceBreakerState {
    const breaker = this.breakers.get(keyOf(account))?.breaker;
    if (!breaker || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half_open' : 'open';
  }

  /** Resolves once every state change so far is written and evaluated (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  private openError(entry: AccountBreaker): SourceCircuitOpenError {
    const retryAfterMs = entry.breaker.halfOpen ? HALF_OPEN_RETRY_MS : Math.max(0, this.settings.resetMs - (Date.now() - entry.openedAt));
    return new SourceCircuitOpenError(entry.account, retryAfterMs);
  }

  private entry(account: ZohoAccount): AccountBreaker {
    const key = keyOf(account);
    let entry = this.breakers.get(key);
    if (entry) return entry;
    const breaker = new CircuitBreaker<[Action], unknown>((action: Action) => action(), {
      name: `zoho:${key}`,
      // The HTTP calls have their own timeouts (TDS_ZOHO_TIMEOUT_MS); a call waiting for a rate token is not slow Zoho.
      timeout: false,
      errorThresholdPercentage: this.settings.errorPercent,
      volumeThreshold: this.settings.volume,
      resetTimeout: this.settings.resetMs,
      errorFilter: (error: unknown) => !countsAgainstBreaker(error),
    });
    const created: AccountBreaker = { account, breaker, openedAt: 0, lastError: null };
    // Emitted for counted failures only, before the breaker decides whether to open.
    breaker.on('failure', (error: Error) => {
      created.lastError = error.message;
    });
    breaker.on('open', () => {
      created.openedAt = Date.now();
      this.logger.warn(
        `Circuit breaker of Zoho account "${account.name}" opened: calls fail fast for ${this.settings.resetMs} ms` +
          (created.lastError ? ` (last failure: ${created.lastError})` : ''),
      );
      this.record(created, 'open', created.lastError);
    });
    breaker.on('halfOpen', () => {
      this.logger.log(`Circuit breaker of Zoho account "${account.name}" half-open: the next call is a trial`);
      this.record(created, 'half_open', null);
    });
    breaker.on('close', () => {
      this.logger.log(`Circuit breaker of Zoho account "${account.name}" closed: Zoho answers again`);
      this.record(created, 'closed', null);
    });
    this.breakers.set(key, created);
    entry = created;
    return entry;
  }

  private record(entry: AccountBreaker, state: SourceBreakerState, lastError: string | null): void {
    this.enqueue(entry.account, async () => {
      await this.dataSource.query(SET_BREAKER_STATE_SQL, [entry.account.source, entry.account.name, state, lastError]);
      return true;
    });
  }

  /**
   * A success while the row may still say open or half-open (written by another instance, or
   * by this one before it closed): the row follows the evidence that Zoho answers.
   */
  private noteSuccess(entry: AccountBreaker): void {
    const key = keyOf(entry.account);
    if (this.closing.has(key)) return;
    this.closing.add(key);
    this.enqueue(entry.account, async () => {
      this.closing.delete(key);
      const changed = await queryRows(this.dataSource, MARK_BREAKER_CLOSED_SQL, [entry.account.source, entry.account.name]);
      return changed.length > 0;
    });
  }

  /** Chains a write after the account's previous ones; when it changed the row, the alerts are evaluated. */
  private enqueue(account: ZohoAccount, write: () => Promise<boolean>): void {
    const key = keyOf(account);
    const next = (this.writes.get(key) ?? Promise.resolve()).then(async () => {
      let changed: boolean;
      try {
        changed = await write();
      } catch (error) {
        this.logger.warn(`Could not record the circuit breaker state of Zoho account "${account.name}": ${(error as Error).message}`);
        return;
      }
      if (!changed) return;
      try {
        await this.commandBus.execute(new EvaluateAlertsCommand());
      } catch (error) {
        this.logger.warn(`Could not evaluate the alerts after a circuit breaker change of Zoho account "${account.name}": ${(error as Error).message}`);
      }
    });
    this.writes.set(key, next);
    // Drop the settled tail so the map does not keep a chain alive.
    void next.then(() => {
      if (this.writes.get(key) === next) this.writes.delete(key);
    });
  }
}

const keyOf = (account: Pick<ZohoAccount, 'source' | 'name'>): string => `${account.source}:${account.name}`;
