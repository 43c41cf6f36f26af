import { AlertEntity } from './alert.entity.js';
import { BatchClaimEntity } from './batch-claim.entity.js';
import { DeadLetterEntity } from './dead-letter.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { InboxEventEntity } from './inbox-event.entity.js';
import { JobRunEntity } from './job-run.entity.js';
import { MetricBucketEntity } from './metric-bucket.entity.js';
import { MirrorEntityEntity } from './mirror-entity.entity.js';
import { OutboxEventEntity } from './outbox-event.entity.js';
import { QueueAttemptEntity } from './queue-attempt.entity.js';
import { SyncQueueItemEntity } from './sync-queue-item.entity.js';
import { SyncRunEntity } from './sync-run.entity.js';
import { SyncCursorEntity } from './sync-cursor.entity.js';
import { SourceAccountEntity } from './source-account.entity.js';
import { RateBucketEntity } from './rate-bucket.entity.js';

/** The TDS module's tables, for TypeOrmModule.forFeature and for tests. */
export const TDS_ENTITIES = [
  AlertEntity,
  BatchClaimEntity,
  DeadLetterEntity,
  IdempotencyKeyEntity,
  InboxEventEntity,
  JobRunEntity,
  MetricBucketEntity,
  MirrorEntityEntity,
  OutboxEventEntity,
  QueueAttemptEntity,
  SyncQueueItemEntity,
  SyncRunEntity,
  SyncCursorEntity,
  SourceAccountEntity,
  RateBucketEntity,
];
