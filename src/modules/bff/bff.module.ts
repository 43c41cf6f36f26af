import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { FastifyInstance } from 'fastify';
import { BffCache } from './cache/bff-cache.js';
import { BffAcknowledgeAlertController } from './commands/acknowledge-alert/acknowledge-alert.controller.js';
import { BffReplayDeadLettersController } from './commands/replay-dead-letters/replay-dead-letters.controller.js';
import { BffResolveDeadLetterController } from './commands/resolve-dead-letter/resolve-dead-letter.controller.js';
import { BffCacheInvalidationHandler } from './events/bff-cache-invalidation.handler.js';
import { BFF_PREFIX } from './http/bff-routes.js';
import { registerConditionalGet } from './http/conditional-get.js';
import { GetDashboardController } from './queries/get-dashboard/get-dashboard.controller.js';
import { BffGetEntityTimelineController } from './queries/get-entity-timeline/get-entity-timeline.controller.js';
import { BffGetHealthController } from './queries/get-health/get-health.controller.js';
import { BffGetSyncRunController } from './queries/get-sync-run/get-sync-run.controller.js';
import { BffGetThroughputController } from './queries/get-throughput/get-throughput.controller.js';
import { BffListAlertsController } from './queries/list-alerts/list-alerts.controller.js';
import { BffListDeadLettersController } from './queries/list-dead-letters/list-dead-letters.controller.js';
import { BffListEntitiesController } from './queries/list-entities/list-entities.controller.js';
import { BffListSyncRunsController } from './queries/list-sync-runs/list-sync-runs.controller.js';

/**
 * The mobile- and dashboard-shaped reads and the operator actions under /api/bff/tds. It owns
 * no table: everything goes through the buses to TDS (src/modules/tds/public.ts), and its reads
 * are cached in the shared AppCache, dropped by TDS's events and by its own actions.
 */
@Module({
  imports: [CqrsModule],
  controllers: [
    GetDashboardController,
    BffListSyncRunsController,
    BffGetSyncRunController,
    BffListEntitiesController,
    BffGetEntityTimelineController,
    BffListAlertsController,
    BffAcknowledgeAlertController,
    BffListDeadLettersController,
    BffReplayDeadLettersController,
    BffResolveDeadLetterController,
    BffGetThroughputController,
    BffGetHealthController,
  ],
  providers: [BffCache, BffCacheInvalidationHandler],
})
export class BffModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Before Fastify is ready, which is when it gives each route the hooks added so far. */
  onModuleInit(): void {
    registerConditionalGet(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), BFF_PREFIX);
  }
}
