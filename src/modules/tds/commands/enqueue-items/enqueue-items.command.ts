import { Command } from '@nestjs/cqrs';
import type { EntityOperation } from '../../events/tds-entity-synced.event.js';

/** One validated item: version already turned into its number, priority defaulted. */
export interface EnqueueItem {
  entityType: string;
  sourceEntityId: string;
  operation: EntityOperation;
  version: number;
  priority: number;
  payload: Record<string, unknown>;
}

/** Makes a retried request return the first response instead of enqueueing twice. */
export interface IdempotencyClaim {
  /** The caller's API key (Principal.keyId): keys are scoped per caller. */
  apiKeyId: string;
  key: string;
  /** sha256 of the canonical request: the same key with another request is refused. */
  requestHash: string;
}

export interface EnqueueItemsResponse {
  syncRunId: number;
  /** In request order: queueItemIds[i] is items[i]. */
  queueItemIds: number[];
}

export interface EnqueueItemsResult {
  response: EnqueueItemsResponse;
  /** True when the response is the stored one of an earlier request with the same idempotency key. */
  replayed: boolean;
}

/**
 * Enqueues a batch of validated items as one bulk sync run, in one transaction. Bulk items
 * have no inbox row: the run is their provenance.
 */
export class EnqueueItemsCommand extends Command<EnqueueItemsResult> {
  constructor(
    readonly source: string,
    readonly items: readonly EnqueueItem[],
    readonly idempotency?: IdempotencyClaim,
  ) {
    super();
  }
}
