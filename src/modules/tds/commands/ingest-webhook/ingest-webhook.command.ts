import { Command } from '@nestjs/cqrs';
import type { IncomingDelivery, MappingResult } from '../../ingestion/webhook-delivery.js';

export type IngestWebhookResult =
  | { accepted: true; inboxId: number; queueItemIds: number[] }
  | { duplicate: true; inboxId: number };

/**
 * Stores one authenticated delivery: its inbox row and, when it mapped to valid items, their
 * queue items, committed before it resolves. A redelivery resolves as a duplicate; an invalid
 * delivery (new or redelivered) is kept for audit and refused with VALIDATION_FAILED.
 */
export class IngestWebhookCommand extends Command<IngestWebhookResult> {
  constructor(
    /** Signature verified: nothing unauthenticated may reach this command. */
    readonly delivery: IncomingDelivery,
    readonly mapping: MappingResult,
    readonly idempotencyKey: string,
    /** See deliveryReplayKey: null unless the record is versioned by its receipt time. */
    readonly replayKey: string | null,
  ) {
    super();
  }
}
