import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../shared/database/sql.js';
import { forEachInSlices } from '../../../shared/runtime/event-loop-slices.js';
import { DEFAULT_PRIORITY } from '../domain/queue-item.js';
import type { EntityOperation } from '../domain/queue-item.js';
import { RetryPolicy } from '../domain/retry-policy.js';
import { INSERT_QUEUE_ITEMS_SQL, NOTIFY_QUEUE_SQL } from './insert-queue-items.sql.js';

/** One item to queue, with its provenance: the webhook delivery (inbox row) or the sync run it belongs to. */
export interface NewQueueItem {
  source: string;
  inboxEventId?: number;
  syncRunId?: number;
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  payload: Record<string, unknown>;
  priority?: number;
}

/** The JSON object of one queue item (QUEUE_ITEM_FIELDS). */
export interface QueueItemRow {
  source: string;
  inbox_event_id: number | null;
  sync_run_id: number | null;
  entity_type: string;
  source_entity_id: string;
  operation: EntityOperation;
  version: number;
  payload: Record<string, unknown>;
  priority: number;
  max_attempts: number;
}

/**
 * The one way items enter tds_sync_queue: a multi-row insert inside the caller's transaction,
 * max attempts per entity type from the queue configuration, and a NOTIFY that wakes the
 * workers when that transaction commits.
 */
@Injectable()
export class QueueItemInserter {
  constructor(private readonly retryPolicy: RetryPolicy) {}

  /** Returns the queue item ids in input order. */
  async insert(tx: QueryRunner, items: readonly NewQueueItem[]): Promise<number[]> {
    if (items.length === 0) return [];
    // JSON.stringify of the whole list, a row at a time with the event loop let go between
    // slices: a bulk run's 10 MiB of payloads took ~35 ms at once.
    const rows: string[] = [];
    await forEachInSlices(items, (item) => rows.push(JSON.stringify(this.row(item))));
    const inserted = await queryRows<{ id: number }>(tx, INSERT_QUEUE_ITEMS_SQL, [`[${rows.join(',')}]`]);
    await queryRows(tx, NOTIFY_QUEUE_SQL);
    return inserted.map((row) => row.id);
  }

  /** An item as a QUEUE_ITEM_FIELDS object, for statements that insert through `insertQueueItemsFrom`. */
  row(item: NewQueueItem): QueueItemRow {
    return {
      source: item.source,
      inbox_event_id: item.inboxEventId ?? null,
      sync_run_id: item.syncRunId ?? null,
      entity_type: item.entityType,
      source_entity_id: item.sourceEntityId,
      operation: item.operation,
      version: item.version,
      payload: item.payload,
      priority: item.priority ?? DEFAULT_PRIORITY,
      max_attempts: this.retryPolicy.maxAttemptsFor(item.entityType),
    };
  }
}
