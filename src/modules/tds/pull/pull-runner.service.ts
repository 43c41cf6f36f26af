import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../../shared/config/app.config.js';
import type { PullConfig } from '../../../shared/config/pull.config.js';
import type { WebhooksConfig } from '../../../shared/config/webhooks.config.js';
import { DbNotifier } from '../../../shared/database/db-notifier.js';
import { queryRows } from '../../../shared/database/sql.js';
import { PollingLoop } from '../../../shared/runtime/polling-loop.js';
import { QueueItemInserter } from '../queue/queue-item-inserter.js';
import { PullLease } from './pull-lease.js';
import type { ClaimedPullRun } from './pull-lease.js';
import { PullRunExecutor } from './pull-run.executor.js';
import { CLAIM_PULL_RUN_SQL, PULL_CHANNEL } from './pull-runs.sql.js';

/**
 * Takes pull runs and runs them, TDS_PULL_CONCURRENCY at a time on this instance: each loop
 * claims the oldest open run whose lease is free or expired (a new run, or one whose holder
 * died), with a new fencing token, and runs it to its end (PullRunExecutor). Woken by the NOTIFY
 * a new run sends; otherwise it looks every TDS_PULL_POLL_MS, which is also how a run whose
 * holder stopped renewing is resumed, from its recorded progress, once the lease has expired.
 * At shutdown the runs in flight stop after their current page and give their leases back.
 */
@Injectable()
export class PullRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PullRunnerService.name);
  private readonly config: PullConfig;
  private readonly instanceId: string;
  private readonly replayWindowS: number;
  private readonly shutdownTimeoutMs: number;
  private readonly loop: PollingLoop;
  private readonly stopping = new AbortController();

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
    private readonly queue: QueueItemInserter,
    private readonly executor: PullRunExecutor,
    notifier: DbNotifier,
  ) {
    this.config = config.getOrThrow<PullConfig>('pull');
    this.instanceId = config.getOrThrow<AppConfig>('app').instanceId;
    this.replayWindowS = config.getOrThrow<WebhooksConfig>('webhooks').replayWindowS;
    this.shutdownTimeoutMs = config.getOrThrow<number>('queue.shutdownTimeoutMs');
    this.loop = new PollingLoop({
      name: PullRunnerService.name,
      step: () => this.runOne(),
      pollIntervalMs: this.config.pollMs,
      wakeOn: { notifier, channel: PULL_CHANNEL },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.enabled) return;
    await this.loop.start(this.config.concurrency, `${this.instanceId}/pull`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (!(await this.loop.stop(this.shutdownTimeoutMs))) this.logger.warn('shutdown: a pull run did not stop in time; its lease will expire');
  }

  /** Claims and runs one run; 0 when there was none to take. */
  private async runOne(): Promise<number> {
    const [run] = await queryRows<ClaimedPullRun>(this.dataSource, CLAIM_PULL_RUN_SQL, [this.instanceId, this.config.leaseMs]);
    if (run === undefined) return 0;
    this.logger.log(`run ${run.id} (${run.source}/${run.account} ${run.entityType}, ${run.mode}): lease ${run.leaseToken} taken`);
    await this.executor.execute(new PullLease(this.dataSource, this.queue, run, this.config.leaseMs, this.replayWindowS), this.stopping.signal);
    return 1;
  }
}
