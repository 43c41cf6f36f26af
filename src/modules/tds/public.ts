/**
 * TDS's public contract: the only file other modules may import from `src/modules/tds`
 * (enforced by dependency-cruiser). Events are published on the @nestjs/cqrs EventBus by the
 * outbox relay; commands and queries are sent through the buses.
 */
export { TdsSyncStartedEvent } from './events/tds-sync-started.event.js';
export { TdsSyncCompletedEvent } from './events/tds-sync-completed.event.js';
export { TdsSyncFailedEvent } from './events/tds-sync-failed.event.js';
export { TdsEntitySyncedEvent } from './events/tds-entity-synced.event.js';
export type { EntityOperation, FieldChanges } from './events/tds-entity-synced.event.js';
export { TdsEntitiesSyncedEvent } from './events/tds-entities-synced.event.js';
export type { EntityChange } from './events/tds-entities-synced.event.js';
export { TdsEntitySyncFailedEvent } from './events/tds-entity-sync-failed.event.js';
export { TdsQueueEmptyEvent } from './events/tds-queue-empty.event.js';
export { TdsDeadLetterEvent } from './events/tds-dead-letter.event.js';
export { TdsDeadLetterReplayedEvent } from './events/tds-dead-letter-replayed.event.js';
export { TdsDeadLetterResolvedEvent } from './events/tds-dead-letter-resolved.event.js';
export { TdsAlertTriggeredEvent } from './events/tds-alert-triggered.event.js';
export { TdsAlertAcknowledgedEvent } from './events/tds-alert-acknowledged.event.js';


// Commands and queries other modules (the BFF) send through the buses.
export { EnqueueItemsCommand } from './commands/enqueue-items/enqueue-items.command.js';
export { ReplayDeadLetterCommand } from './commands/replay-dead-letter/replay-dead-letter.command.js';
export type { ReplayDeadLetterResult } from './commands/replay-dead-letter/replay-dead-letter.command.js';
export { ResolveDeadLetterCommand } from './commands/resolve-dead-letter/resolve-dead-letter.command.js';
export type { ResolveDeadLetterResult } from './commands/resolve-dead-letter/resolve-dead-letter.command.js';
export { GetQueueItemQuery } from './queries/get-queue-item/get-queue-item.query.js';
export { GetQueueStatsQuery } from './queries/get-queue-stats/get-queue-stats.query.js';
export { GetInboxEventQuery } from './queries/get-inbox-event/get-inbox-event.query.js';
export { ListReactionFailuresQuery } from './queries/list-reaction-failures/list-reaction-failures.query.js';
export type { ReactionFailureDto } from './queries/list-reaction-failures/list-reaction-failures.dto.js';
export { ListMirrorEntitiesQuery } from './queries/list-mirror-entities/list-mirror-entities.query.js';
export type { MirrorEntity, MirrorEntityPage } from './queries/list-mirror-entities/list-mirror-entities.query.js';
export { GetSyncRunQuery } from './queries/get-sync-run/get-sync-run.query.js';
export type { SyncRunDto } from './queries/get-sync-run/get-sync-run.dto.js';
export { SYNC_RUN_KINDS, SYNC_RUN_STATUSES } from './queries/get-sync-run/get-sync-run.dto.js';
export { CancelSyncRunCommand } from './commands/cancel-sync-run/cancel-sync-run.command.js';
export { StartPullRunCommand } from './commands/start-pull-run/start-pull-run.command.js';
export type { PullMode } from './commands/start-pull-run/start-pull-run.command.js';
export { ReplayDeadLettersCommand } from './commands/replay-dead-letters/replay-dead-letters.command.js';
export type { ReplayDeadLettersResult } from './commands/replay-dead-letters/replay-dead-letters.command.js';
export { ReplayDeadLetterSelectionCommand } from './commands/replay-dead-letters/replay-dead-letter-selection.command.js';
export type { DeadLetterSelection, ReplaySelectionResult } from './commands/replay-dead-letters/replay-dead-letter-selection.command.js';
export { ListJobRunsQuery } from './queries/list-job-runs/list-job-runs.query.js';
export type { JobRun, JobRunsView, JobStatus } from './queries/list-job-runs/list-job-runs.query.js';
export { EvaluateAlertsCommand } from './commands/evaluate-alerts/evaluate-alerts.command.js';
export type { EvaluateAlertsResult } from './commands/evaluate-alerts/evaluate-alerts.command.js';
export { AcknowledgeAlertCommand } from './commands/acknowledge-alert/acknowledge-alert.command.js';
export { ListAlertsQuery } from './queries/list-alerts/list-alerts.query.js';
export type { AlertPage, ListAlertsParams } from './queries/list-alerts/list-alerts.query.js';
export type { AlertStatus, AlertView } from './alerts/alert-view.js';
export { GetDashboardSummaryQuery } from './queries/get-dashboard-summary/get-dashboard-summary.query.js';
export type { DashboardSummary } from './queries/get-dashboard-summary/get-dashboard-summary.query.js';
export { GetThroughputQuery } from './queries/get-throughput/get-throughput.query.js';
export type { ThroughputParams, ThroughputPoint, ThroughputSeries } from './queries/get-throughput/get-throughput.query.js';
export { GetSyncRunErrorsQuery } from './queries/get-sync-run-errors/get-sync-run-errors.query.js';
export type { SyncRunErrorCount } from './queries/get-sync-run-errors/get-sync-run-errors.query.js';
export { GetEntityTimelineQuery, TIMELINE_EVENT_KINDS } from './queries/get-entity-timeline/get-entity-timeline.query.js';
export type { EntityTimeline, EntityTimelineParams, TimelineEvent, TimelineEventKind } from './queries/get-entity-timeline/get-entity-timeline.query.js';
export { ListSyncRunsQuery } from './queries/list-sync-runs/list-sync-runs.query.js';
export type { ListSyncRunsParams, SyncRunPage } from './queries/list-sync-runs/list-sync-runs.query.js';
export { ListDeadLettersQuery } from './queries/list-dead-letters/list-dead-letters.query.js';
export type { ListDeadLettersFilters } from './queries/list-dead-letters/list-dead-letters.query.js';
export type { DeadLetterDto, DeadLetterPageDto } from './queries/list-dead-letters/list-dead-letters.dto.js';
export { ListEntityTypesQuery } from './queries/list-entity-types/list-entity-types.query.js';
export type { EntityTypeStatusDto } from './queries/list-entity-types/list-entity-types.dto.js';

// Request DTOs the BFF's routes validate with, so both surfaces refuse the same input the same way.
export { ListSyncRunsParamsDto } from './queries/list-sync-runs/list-sync-runs.dto.js';
export { ListDeadLettersParamsDto } from './queries/list-dead-letters/list-dead-letters.dto.js';
export { ListAlertsParamsDto } from './queries/list-alerts/list-alerts.dto.js';
export { ReplayDeadLettersDocs, ReplayDeadLettersDto } from './commands/replay-dead-letters/replay-dead-letters.dto.js';
export { ResolveDeadLetterDto, ResolveDeadLetterResponseDto } from './commands/resolve-dead-letter/resolve-dead-letter.dto.js';
