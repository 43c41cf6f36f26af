import type { InboxRecord } from '../ingestion/inbox-record.js';
import type { PullProgress } from './pull-progress.js';

/** A page fetched and mapped, waiting to be written. */
export interface FetchedPage {
  records: InboxRecord[];
  newestAt: number | undefined;
  /** The progress once this page is written. */
  after: PullProgress;
  /** No page follows it. */
  last: boolean;
}

/** What the writer takes: every page buffered, and whether the fetcher has ended (and how). */
export interface TakenPages {
  pages: FetchedPage[];
  ended: boolean;
  /** Why the fetcher stopped early; the pages before it are still to be written. */
  error?: unknown;
}

/**
 * Between a run's fetcher and its writer: the fetcher keeps fetching while a write is in flight,
 * up to `maxRecords` buffered (then it waits), and the writer takes everything buffered at once,
 * so each write carries as many pages as arrived during the previous one. One statement per
 * several pages shares its fixed cost (round trip, plan, commit) among them, and the source's
 * latency and the mapping overlap the database's work.
 */
export class PullPageBuffer {
  private pages: FetchedPage[] = [];
  private records = 0;
  private ended = false;
  private error: unknown;
  private abandoned = false;
  private wakeWriter: (() => void) | undefined;
  private wakeFetcher: (() => void) | undefined;

  constructor(private readonly maxRecords: number) {}

  push(page: FetchedPage): void {
    if (this.abandoned) return;
    this.pages.push(page);
    this.records += page.records.length;
    this.wakeWriter?.();
  }

  /** Resolves once there is room (or the writer has gone: `abandon`). */
  async room(): Promise<void> {
    while (this.records >= this.maxRecords && !this.abandoned) await new Promise<void>((resolve) => (this.wakeFetcher = resolve));
  }

  end(error?: unknown): void {
    this.ended = true;
    this.error = error;
    this.wakeWriter?.();
  }

  /** The writer stopped: the fetcher must not wait for room any more. */
  abandon(): void {
    this.abandoned = true;
    this.wakeFetcher?.();
  }

  async take(): Promise<TakenPages> {
    while (this.pages.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    const pages = this.pages.splice(0);
    this.records = 0;
    this.wakeFetcher?.();
    return { pages, ended: this.ended && this.pages.length === 0, error: this.error };
  }
}
