import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../../../shared/config/app.config.js';
import type { PullConfig } from '../../../shared/config/pull.config.js';
import { TdsMetrics } from '../metrics/tds-metrics.js';
import { SourceBadResponseError, SourceError } from '../sources/zoho/source.errors.js';
import { isZohoEntityType } from '../sources/zoho/zoho-entity-types.js';
import type { ZohoEntityType } from '../sources/zoho/zoho-entity-types.js';
import type { ZohoListPage } from '../sources/zoho/zoho-client.js';
import { PullPageBuffer } from './pull-page.buffer.js';
import { ZohoClient } from '../sources/zoho/zoho-client.js';
import type { PullFailure, PullLease } from './pull-lease.js';
import { afterPage } from './pull-progress.js';
import type { PullProgress } from './pull-progress.js';
import { PullRecordMapper } from './pull-record.mapper.js';

/** The lease is gone (expired, taken over, cancelled): stop, writing nothing more. */
class LeaseLost extends Error {}
/** The run cannot go on: it fails with this. */
class RunFails extends Error {
  constructor(readonly failure: PullFailure) {
    super(failure.errorMessage);
  }
}
/** Shutdown: give the lease back so another instance resumes at once. */
class Stopping extends Error {}

const MAX_RETRY_WAIT_MS = 30_000;
/** Records fetched ahead of the writer: five pages, about what one write takes while the next ones arrive. */
const MAX_BUFFERED_RECORDS = 1000;

function failureOf(error: unknown): PullFailure {
  if (error instanceof SourceError) {
    const { httpStatus, bodyExcerpt } = (error.details ?? {}) as { httpStatus?: number; bodyExcerpt?: string };
    return { errorCode: error.code, errorMessage: error.message, httpStatus, bodyExcerpt };
  }
  // A bug or an unexpected answer: its message names no credential (the client redacts), but keep it short.
  return { errorCode: 'PULL.UNEXPECTED_ERROR', errorMessage: String((error as Error)?.message ?? error).slice(0, 500) };
}

/**
 * Runs one claimed pull run to its end on this instance: a fetcher fetches and maps pages in
 * order (each request is placed by the page before it), a writer writes what has arrived under
 * the lease (pull-lease.ts), several pages per statement when they came in while the previous
 * write was in flight (PullPageBuffer), and finishes the fetch after the last one. The cursor
 * and progress move with each write, so they never pass a record not committed; pages fetched
 * but not written when the run stops are fetched again by whoever resumes it. The lease is
 * renewed every third of its length; once a renewal or a write is refused, the run is another
 * instance's (or cancelled) and this one stops without writing anything more.
 *
 * A broken page (not JSON, cut short) is fetched again TDS_PULL_PAGE_RETRIES times, then the
 * run fails with the status and an excerpt of the body; the cursor stays at the last committed
 * page. A source that is away (5xx, its circuit breaker open, rate limits) pauses the run — the
 * pause and its reason are on the run — for up to TDS_PULL_MAX_PAUSE_S, then the run fails. A
 * source that refuses us (credentials, a rejected request, the daily budget) fails it at once.
 */
@Injectable()
export class PullRunExecutor {
  private readonly logger = new Logger(PullRunExecutor.name);
  private readonly config: PullConfig;
  private readonly instanceId: string;

  constructor(
    private readonly client: ZohoClient,
    private readonly mapper: PullRecordMapper,
    private readonly metrics: TdsMetrics,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<PullConfig>('pull');
    this.instanceId = config.getOrThrow<AppConfig>('app').instanceId;
  }

  async execute(lease: PullLease, stopping: AbortSignal): Promise<void> {
    const { run } = lease;
    let lost = false;
    const renewal = setInterval(() => {
      lease
        .renew()
        .then((held) => (lost ||= !held))
        .catch((error: unknown) => this.logger.warn(`run ${run.id}: lease renewal failed: ${(error as Error).message}`));
    }, this.config.leaseMs / 3);
    const buffer = new PullPageBuffer(MAX_BUFFERED_RECORDS);
    // The fetcher stops at shutdown, and when the writer has stopped (it may be waiting out a pause).
    const writerDone = new AbortController();
    const fetching = this.fetchAll(lease, buffer, AbortSignal.any([stopping, writerDone.signal]), () => lost).then(
      () => buffer.end(),
      (error: unknown) => buffer.end(error),
    );
    let progress = run.progress;
    try {
      for (;;) {
        const { pages, ended, error } = await buffer.take();
        if (lost) throw new LeaseLost();
        if (pages.length > 0) {
          const after = pages[pages.length - 1].after;
          const newest = Math.max(...pages.map((page) => page.newestAt ?? -Infinity));
          const records = pages.flatMap((page) => page.records);
          const written = await lease.writePages(records, after, Number.isFinite(newest) ? newest : undefined);
          if (written === undefined) throw new LeaseLost();
          this.metrics.recordPullPages({ entityType: run.entityType, pages: pages.length, records: records.length, ...written });
          progress = after;
          if (pages[pages.length - 1].last) break;
        }
        if (ended) throw error ?? new Error('the fetch ended before its last page');
      }
      const status = await lease.finish({ estimatedPercent: 100, paused: null });
      if (status === undefined) throw new LeaseLost();
      this.logger.log(`run ${run.id} (${run.entityType}): fetched ${progress.pages} pages, ${progress.records} records; ${status}`);
    } catch (error) {
      buffer.abandon();
      await this.settle(lease, error, progress);
    } finally {
      clearInterval(renewal);
      writerDone.abort();
      await fetching;
    }
  }

  /** Fetches and maps page after page into the buffer, each request placed by the page before it. */
  private async fetchAll(lease: PullLease, buffer: PullPageBuffer, stopping: AbortSignal, isLost: () => boolean): Promise<void> {
    const { run } = lease;
    if (!isZohoEntityType(run.entityType)) throw new RunFails({ errorCode: 'PULL.UNKNOWN_ENTITY_TYPE', errorMessage: `Zoho has no ${run.entityType} list` });
    const writer = { syncRunId: run.id, leaseToken: run.leaseToken, instanceId: this.instanceId };
    let position = run.progress;
    for (;;) {
      const page = await this.fetch(lease, position, stopping, isLost);
      if (stopping.aborted) throw new Stopping();
      const mapped = this.mapper.map(run.source, page.module, page.records, writer);
      position = afterPage(position, page.records.length, mapped.oldestAt, mapped.newestAt);
      buffer.push({ records: mapped.records, newestAt: mapped.newestAt, after: position, last: !page.hasMore });
      if (!page.hasMore) return;
      await buffer.room();
    }
  }

  private async settle(lease: PullLease, error: unknown, progress: PullProgress): Promise<void> {
    const { run } = lease;
    if (error instanceof LeaseLost) {
      this.logger.warn(`run ${run.id}: lease ${run.leaseToken} lost (expired, taken over or cancelled); stopped without writing`);
    } else if (error instanceof Stopping) {
      await lease.release();
      this.logger.log(`run ${run.id}: shutting down after page ${progress.pages}; lease released for another instance`);
    } else {
      const failure = error instanceof RunFails ? error.failure : failureOf(error);
      const failed = await lease.fail(failure, { paused: null });
      if (failed) this.logger.error(`run ${run.id} (${run.entityType}) failed: ${failure.errorCode}: ${failure.errorMessage}`);
      else this.logger.warn(`run ${run.id}: could not record its failure (${failure.errorCode}): the lease is gone`);
    }
  }

  /** One page, fetched again as the failure allows (see the class comment). */
  private async fetch(lease: PullLease, progress: PullProgress, stopping: AbortSignal, isLost: () => boolean): Promise<ZohoListPage> {
    const { run } = lease;
    let broken = 0;
    let waits = 0;
    let pausedSince: number | undefined;
    for (;;) {
      if (stopping.aborted) throw new Stopping();
      if (isLost()) throw new LeaseLost();
      try {
        const modifiedSince = progress.lowerBound === null ? undefined : new Date(progress.lowerBound);
        return await this.client.listPage({ account: run.account, entityType: run.entityType as ZohoEntityType, page: progress.page, modifiedSince });
      } catch (error) {
        if (!(error instanceof SourceError) || !error.retryable) throw new RunFails(failureOf(error));
        let waitMs: number;
        if (error instanceof SourceBadResponseError) {
          if (++broken > this.config.pageRetries) throw new RunFails(failureOf(error));
          waitMs = this.backoff(broken);
        } else {
          pausedSince ??= Date.now();
          if (Date.now() - pausedSince > this.config.maxPauseMs) throw new RunFails(failureOf(error));
          const paused = { code: error.code, message: error.message, since: new Date(pausedSince).toISOString() };
          if (!(await lease.setProgress({ paused }))) throw new LeaseLost();
          waitMs = error.retryAfterMs ?? this.backoff(++waits);
        }
        this.logger.warn(`run ${run.id}: page ${progress.page} from ${progress.lowerBound ?? 'the start'}: ${error.code}; again in ${waitMs} ms`);
        await sleep(Math.min(waitMs, MAX_RETRY_WAIT_MS), undefined, { signal: stopping }).catch(() => undefined);
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.min(MAX_RETRY_WAIT_MS, this.config.retryBaseMs * 2 ** (attempt - 1));
  }
}
