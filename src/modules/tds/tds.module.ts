import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnqueueItemsController } from './commands/enqueue-items/enqueue-items.controller.js';
import { EnqueueItemsHandler } from './commands/enqueue-items/enqueue-items.handler.js';
import { IngestWebhookController } from './commands/ingest-webhook/ingest-webhook.controller.js';
import { IngestWebhookHandler } from './commands/ingest-webhook/ingest-webhook.handler.js';
import { InboxWriter } from './commands/ingest-webhook/inbox-writer.js';
import { PurgeInboxHandler } from './commands/purge-inbox/purge-inbox.handler.js';
import { GetInboxEventController } from './queries/get-inbox-event/get-inbox-event.controller.js';
import { GetInboxEventHandler } from './queries/get-inbox-event/get-inbox-event.handler.js';
import { QueueItemInserter } from './queue/queue-item-inserter.js';
import { MarkCompletedService } from './apply/mark-completed.service.js';
import { MarkFailedService } from './apply/mark-failed.service.js';
import { ReplayDeadLetterController } from './commands/replay-dead-letter/replay-dead-letter.controller.js';
import { ReplayDeadLetterHandler } from './commands/replay-dead-letter/replay-dead-letter.handler.js';
import { ReplayDeadLettersController } from './commands/replay-dead-letters/replay-dead-letters.controller.js';
import { ListDeadLettersController } from './queries/list-dead-letters/list-dead-letters.controller.js';
import { ListDeadLettersHandler } from './queries/list-dead-letters/list-dead-letters.handler.js';
import { FindOpenDeadLetterIdsHandler } from './queries/find-open-dead-letter-ids/find-open-dead-letter-ids.handler.js';
import { ResolveDeadLetterController } from './commands/resolve-dead-letter/resolve-dead-letter.controller.js';
import { ResolveDeadLetterHandler } from './commands/resolve-dead-letter/resolve-dead-letter.handler.js';
import { EnqueueItemsPipe } from './commands/enqueue-items/enqueue-items.pipe.js';
import { TDS_ENTITIES } from './entities/index.js';
import { JOB_PROVIDERS } from './jobs/job.providers.js';
import { ALERT_PROVIDERS } from './alerts/alert.providers.js';
import { ZOHO_SOURCE_PROVIDERS } from './sources/zoho/zoho.providers.js';
import { DeliveryMapper } from './ingestion/delivery.mapper.js';
import { GenericDeliveryMapper } from './ingestion/generic-delivery.mapper.js';
import { WebhookAuthenticator } from './ingestion/webhook-authenticator.js';
import { WEBHOOK_CLOCK } from './ingestion/webhook-clock.js';
import { WebhookRateLimiter } from './ingestion/webhook-rate.limiter.js';
import { WebhookSignatureVerifier } from './ingestion/webhook-signature.verifier.js';
import { WebhookSourceRegistry } from './ingestion/webhook-source.registry.js';
import { ZohoDeliveryMapper } from './ingestion/zoho-delivery.mapper.js';
import { EntityProcessorRegistry } from './processors/entity-processor.registry.js';
import { GetQueueItemController } from './queries/get-queue-item/get-queue-item.controller.js';
import { ListReactionFailuresController } from './queries/list-reaction-failures/list-reaction-failures.controller.js';
import { ListReactionFailuresHandler } from './queries/list-reaction-failures/list-reaction-failures.handler.js';
import { ListMirrorEntitiesHandler } from './queries/list-mirror-entities/list-mirror-entities.handler.js';
import { GetQueueItemHandler } from './queries/get-queue-item/get-queue-item.handler.js';
import { GetQueueStatsController } from './queries/get-queue-stats/get-queue-stats.controller.js';
import { GetQueueStatsHandler } from './queries/get-queue-stats/get-queue-stats.handler.js';
import { OutboxPublisher } from './outbox/outbox-publisher.js';
import { OutboxRelayService } from './outbox/outbox-relay.service.js';
import { ReactionRedeliveryService } from './reactions/reaction-redelivery.service.js';
import { QueueWorkerService } from './workers/queue-worker.service.js';
import { RANDOM_SOURCE, RetryPolicy } from './domain/retry-policy.js';
import { TestFaults } from './apply/test-faults.js';
import { TdsDatabaseGauges } from './metrics/database-gauges.js';
import { TdsMetrics } from './metrics/tds-metrics.js';
import { CancelSyncRunController } from './commands/cancel-sync-run/cancel-sync-run.controller.js';
import { CancelSyncRunHandler } from './commands/cancel-sync-run/cancel-sync-run.handler.js';
import { GetSyncRunController } from './queries/get-sync-run/get-sync-run.controller.js';
import { GetSyncRunHandler } from './queries/get-sync-run/get-sync-run.handler.js';
import { ReplayDeadLetterSelectionHandler } from './commands/replay-dead-letters/replay-dead-letter-selection.handler.js';
import { ReplayDeadLettersHandler } from './commands/replay-dead-letters/replay-dead-letters.handler.js';
import { ListSyncRunsController } from './queries/list-sync-runs/list-sync-runs.controller.js';
import { ListSyncRunsHandler } from './queries/list-sync-runs/list-sync-runs.handler.js';
import { ListEntityTypesController } from './queries/list-entity-types/list-entity-types.controller.js';
import { ListEntityTypesHandler } from './queries/list-entity-types/list-entity-types.handler.js';
import { ListAlertsController } from './queries/list-alerts/list-alerts.controller.js';
import { AcknowledgeAlertController } from './commands/acknowledge-alert/acknowledge-alert.controller.js';
import { GetDashboardSummaryHandler } from './queries/get-dashboard-summary/get-dashboard-summary.handler.js';
import { GetThroughputHandler } from './queries/get-throughput/get-throughput.handler.js';
import { GetSyncRunErrorsHandler } from './queries/get-sync-run-errors/get-sync-run-errors.handler.js';
import { GetEntityTimelineController } from './queries/get-entity-timeline/get-entity-timeline.controller.js';
import { GetEntityTimelineHandler } from './queries/get-entity-timeline/get-entity-timeline.handler.js';
import { StartPullRunController } from './commands/start-pull-run/start-pull-run.controller.js';
import { StartPullRunHandler } from './commands/start-pull-run/start-pull-run.handler.js';
import { PullRecordMapper } from './pull/pull-record.mapper.js';
import { PullRunExecutor } from './pull/pull-run.executor.js';
import { PullRunnerService } from './pull/pull-runner.service.js';
import { RunRetentionHandler } from './commands/run-retention/run-retention.handler.js';
import { ListJobRunsHandler } from './queries/list-job-runs/list-job-runs.handler.js';
import { AcknowledgeAlertHandler } from './commands/acknowledge-alert/acknowledge-alert.handler.js';
import { EvaluateAlertsHandler } from './commands/evaluate-alerts/evaluate-alerts.handler.js';
import { ListAlertsHandler } from './queries/list-alerts/list-alerts.handler.js';

@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature(TDS_ENTITIES), ScheduleModule.forRoot()],
  controllers: [
    ReplayDeadLetterController,
    ResolveDeadLetterController,
    ReplayDeadLettersController,
    ListDeadLettersController,
    EnqueueItemsController,
    GetQueueStatsController,
    GetQueueItemController,
    IngestWebhookController,
    GetInboxEventController,
    ListReactionFailuresController,
    ListSyncRunsController,
    GetSyncRunController,
    ListEntityTypesController,
    CancelSyncRunController,
    ListAlertsController,
    AcknowledgeAlertController,
    GetEntityTimelineController,
    StartPullRunController,
  ],
  providers: [
    ...JOB_PROVIDERS,
    ...ALERT_PROVIDERS,
    ...ZOHO_SOURCE_PROVIDERS,
    MarkCompletedService,
    MarkFailedService,
    ReplayDeadLetterHandler,
    ResolveDeadLetterHandler,
    ListDeadLettersHandler,
    FindOpenDeadLetterIdsHandler,
    QueueWorkerService,
    OutboxRelayService,
    OutboxPublisher,
    ReactionRedeliveryService,
    RetryPolicy,
    { provide: RANDOM_SOURCE, useValue: Math.random },
    TestFaults,
    TdsMetrics,
    TdsDatabaseGauges,
    EntityProcessorRegistry,
    // Webhook ingestion: sources, authentication, rate limits, mapping to queue items.
    { provide: WEBHOOK_CLOCK, useValue: Date.now },
    WebhookSourceRegistry,
    WebhookSignatureVerifier,
    WebhookRateLimiter,
    WebhookAuthenticator,
    EnqueueItemsPipe,
    ZohoDeliveryMapper,
    GenericDeliveryMapper,
    DeliveryMapper,
    EnqueueItemsHandler,
    GetQueueItemHandler,
    GetQueueStatsHandler,
    QueueItemInserter,
    InboxWriter,
    IngestWebhookHandler,
    GetInboxEventHandler,
    PurgeInboxHandler,
    ListMirrorEntitiesHandler,
    ListReactionFailuresHandler,
    GetSyncRunHandler,
    ListSyncRunsHandler,
    ListEntityTypesHandler,
    CancelSyncRunHandler,
    ReplayDeadLettersHandler,
    ReplayDeadLetterSelectionHandler,
    GetDashboardSummaryHandler,
    GetThroughputHandler,
    GetSyncRunErrorsHandler,
    GetEntityTimelineHandler,
    RunRetentionHandler,
    ListJobRunsHandler,
    EvaluateAlertsHandler,
    AcknowledgeAlertHandler,
    ListAlertsHandler,
    // Pull runs: started by operators or the schedule, fetched under a lease by PullRunnerService.
    StartPullRunHandler,
    PullRecordMapper,
    PullRunExecutor,
    PullRunnerService,
  ],
})
export class TdsModule {}
