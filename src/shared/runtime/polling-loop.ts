import { Logger } from '@nestjs/common';
import type { DbNotifier } from '../database/db-notifier.js';
import { settlesWithin } from './settles-within.js';

export interface PollingLoopOptions {
  name: string;
  /** Runs one unit of work; returns how much it did (0: nothing to do, sleep). */
  step: (loopId: string) => Promise<number>;
  /** Sleep when idle, unless woken earlier. */
  pollIntervalMs: number;
  /** Wake on a NOTIFY on this channel (sent at the commit that brings work); absent: the interval alone. */
  wakeOn?: { notifier: DbNotifier; channel: string };
  /**
   * After a step that did some work but less than `full`, pause this long (not cut short by a
   * wake-up) so the next step finds more to do at once: under a steady trickle, each step's
   * fixed cost is then shared by many units instead of being paid for every few. 0: never.
   */
  linger?: { full: number; ms: number };
}

/** What a readiness probe needs to know about a PollingLoop. */
export interface LoopLiveness {
  /** `idle`: never started (disabled by configuration); `stopped`: stopping or stopped. */
  state: 'idle' | 'running' | 'stopped';
  /** Ids of the loops more than the stall limit late for their next beat. */
  stalledLoops: string[];
}

/**
 * N concurrent loops that run a step back to back while it finds work and otherwise sleep
 * until woken (e.g. by a NOTIFY) or the poll interval passes. A failing step is logged and
 * retried with a growing pause, so a database outage does not spin. Stopping lets the step
 * in flight finish, within a timeout.
 */
export class PollingLoop {
  private readonly logger: Logger;
  private readonly sleepers = new Set<() => void>();
  private readonly stoppers = new Set<() => void>();
  private loops: Promise<void>[] = [];
  /**
   * Heartbeats: per loop, when it is due to beat again, set as it starts a step (due at once:
   * a step should end promptly) or a sleep (due when the sleep ends).
   */
  private readonly dueAt = new Map<string, number>();
  private state: LoopLiveness['state'] = 'idle';
  private unlisten?: () => Promise<void>;

  constructor(private readonly options: PollingLoopOptions) {
    this.logger = new Logger(options.name);
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /**
   * A loop is stalled when it is more than `stallAfterMs` late for its next beat: its step has
   * run that long (a query or a lock that never answers), or it overslept by that much. Only
   * the recorded beats are read, so a probe is instant and never waits on a step.
   */
  liveness(stallAfterMs: number): LoopLiveness {
    const now = Date.now();
    const stalledLoops: string[] = [];
    for (const [loopId, due] of this.dueAt) if (now - due > stallAfterMs) stalledLoops.push(loopId);
    return { state: this.state, stalledLoops };
  }

  async start(count: number, idPrefix: string): Promise<void> {
    const { wakeOn } = this.options;
    if (wakeOn) this.unlisten = await wakeOn.notifier.listen(wakeOn.channel, () => this.wake());
    this.state = 'running';
    for (let n = 1; n <= count; n++) this.loops.push(this.run(`${idPrefix}/${n}`));
  }

  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Resolves true when every loop finished its step in time, false on timeout. */
  async stop(timeoutMs: number): Promise<boolean> {
    if (this.state !== 'running') return true;
    this.state = 'stopped';
    this.wake();
    for (const stop of [...this.stoppers]) stop();
    const finished = await settlesWithin(Promise.all(this.loops), timeoutMs);
    await this.unlisten?.();
    return finished;
  }

  private async run(loopId: string): Promise<void> {
    let failures = 0;
    while (this.isRunning) {
      let done = 0;
      this.dueAt.set(loopId, Date.now());
      try {
        done = await this.options.step(loopId);
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.error(`${loopId}: ${(error as Error).message}`, (error as Error).stack);
      }
      if (!this.isRunning) continue;
      const { linger } = this.options;
      if (done > 0 && linger !== undefined && linger.ms > 0 && done < linger.full) await this.sleep(loopId, linger.ms, false);
      else if (done === 0) await this.sleep(loopId, failures > 0 ? Math.min(30_000, 250 * 2 ** failures) : this.options.pollIntervalMs);
    }
    this.dueAt.delete(loopId);
  }

  /** Stopping always ends a sleep; a wake-up only when `wakeable`. */
  private sleep(loopId: string, ms: number, wakeable = true): Promise<void> {
    this.dueAt.set(loopId, Date.now() + ms);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        this.stoppers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (wakeable) this.sleepers.add(done);
      else this.stoppers.add(done);
    });
  }
}
