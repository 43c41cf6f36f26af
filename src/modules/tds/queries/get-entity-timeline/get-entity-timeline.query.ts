import { Query } from '@nestjs/cqrs';

export const TIMELINE_EVENT_KINDS = [
  'delivery_received',
  'delivery_invalid',
  'queued',
  'attempt_failed',
  'applied',
  'unchanged',
  'superseded',
  'cancelled',
  'dead_lettered',
  'dead_letter_resolved',
  'dead_letter_replayed',
  'reaction_receipt',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];

export interface TimelineEvent {
  /** When it happened (ISO-8601). */
  at: string;
  kind: TimelineEventKind;
  /** The record's version the event concerns, when it has one. */
  version: number | null;
  /** The ids it concerns, those that apply: inboxEventId, queueItemId, deadLetterId, syncRunId, attempt, reaction. */
  refs: Record<string, string | number>;
  /** Error code and message for failures; note or actor for operator actions. */
  errorCode: string | null;
  message: string | null;
}

export interface EntityTimeline {
  entityType: string;
  sourceEntityId: string;
  /** The mirrored row now; null when it was never applied. */
  current: {
    source: string;
    version: number;
    deleted: boolean;
    contentHash: string;
    syncedAt: string;
    data: Record<string, unknown>;
  } | null;
  /** Newest first, at most `limit`. */
  events: TimelineEvent[];
}

export interface EntityTimelineParams {
  entityType: string;
  sourceEntityId: string;
  /** 1..500, default 100. */
  limit?: number;
}

/** One record's sync history; fails with ENTITY.NOT_FOUND when TDS has never seen the record. */
export class GetEntityTimelineQuery extends Query<EntityTimeline> {
  constructor(readonly params: EntityTimelineParams) {
    super();
  }
}
