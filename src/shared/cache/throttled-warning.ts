import type { Logger } from '@nestjs/common';

const DEFAULT_INTERVAL_MS = 30_000;

/**
 * A warning logged at most once per interval, with a count of the ones held back: while Redis
 * is down every cache operation fails, and one line per request would bury the rest of the log.
 */
export class ThrottledWarning {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private heldBack = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  warn(message: string): void {
    const now = Date.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.heldBack += 1;
      return;
    }
    const suffix = this.heldBack > 0 ? ` (${this.heldBack} more like it since the last report)` : '';
    this.lastLoggedAt = now;
    this.heldBack = 0;
    this.logger.warn(`${message}${suffix}`);
  }

  /** After a recovery the next failure is news again. */
  reset(): void {
    this.lastLoggedAt = Number.NEGATIVE_INFINITY;
    this.heldBack = 0;
  }
}
