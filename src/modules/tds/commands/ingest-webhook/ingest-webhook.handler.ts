import { createHash } from 'node:crypto';
import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import type { FieldError } from '../../../../shared/errors/domain-error.js';
import { isStorableJson, storableText } from '../../../../shared/json/storable-json.js';
import { headerValue } from '../../ingestion/header-value.js';
import type { IncomingDelivery, MappingResult } from '../../ingestion/webhook-delivery.js';
import { InboxWriter } from './inbox-writer.js';
import type { InboxRecord } from './inbox-writer.js';
import { IngestWebhookCommand } from './ingest-webhook.command.js';
import type { IngestWebhookResult } from './ingest-webhook.command.js';

/** Kept with every delivery beside the source's own signature, timestamp and delivery id headers. */
const STORED_HEADERS = ['content-type', 'content-length', 'user-agent'];
/** Headers are audit context, not data: a long one is cut rather than stored whole. */
const MAX_HEADER_CHARS = 1024;

const UNSTORABLE_BODY: FieldError = {
  path: '',
  message: 'The body must not contain NUL characters or unpaired surrogates (PostgreSQL cannot store them)',
};

/** The headers worth keeping for audit; signatures are not secrets, the source's secrets never appear in a request. */
function selectedHeaders({ source, headers }: IncomingDelivery): Record<string, string> {
  const names = [...STORED_HEADERS, source.signatureHeader, source.timestampHeader, source.deliveryIdHeader];
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = name === undefined ? undefined : headerValue(headers, name);
    if (name !== undefined && value !== undefined) kept[name] = storableText(value.slice(0, MAX_HEADER_CHARS));
  }
  return kept;
}

/** Absent as null; text that PostgreSQL cannot store only comes with a delivery refused anyway, and is kept legible. */
function storable(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}

/**
 * The inbox row (and queue items) for a delivery. A body PostgreSQL cannot store makes the
 * delivery invalid, whatever the mapping said: it is refused with a 422 like any other
 * unacceptable content, and its row keeps what can be stored.
 */
function toInboxRecord({ delivery, mapping, idempotencyKey, replayKey }: IngestWebhookCommand): InboxRecord {
  // Only a `\u` escape in the text can put a NUL or a lone surrogate into the parsed body (raw ones are invalid JSON or UTF-8).
  const bodyStorable = delivery.body === undefined || !delivery.rawBody.includes('\\u') || isStorableJson(JSON.stringify(delivery.body));
  const primary = mapping.ok ? mapping.delivery : (mapping.primary ?? {});
  // Paths and messages may quote the body's own keys and values.
  const errors = mapping.ok ? [] : mapping.errors.map(({ path, message }) => ({ path: storableText(path), message: storableText(message) }));
  if (!bodyStorable) errors.push(UNSTORABLE_BODY);
  return {
    source: delivery.source.name,
    entityType: storable(primary.entityType),
    sourceEntityId: storable(primary.sourceEntityId),
    operation: primary.operation ?? null,
    version: primary.version ?? null,
    idempotencyKey,
    replayKey,
    contentHash: createHash('sha256').update(delivery.rawBody).digest('hex'),
    rawPayload: bodyStorable ? (delivery.body ?? null) : null,
    bytes: delivery.rawBody.length,
    headers: selectedHeaders(delivery),
    signatureVerified: true,
    receivedAt: new Date(delivery.receivedAt),
    validationErrors: errors.length > 0 ? errors : null,
    items: mapping.ok && errors.length === 0 ? mapping.delivery.items : [],
  };
}

@CommandHandler(IngestWebhookCommand)
export class IngestWebhookHandler implements ICommandHandler<IngestWebhookCommand, IngestWebhookResult> {
  constructor(private readonly inbox: InboxWriter) {}

  async execute(command: IngestWebhookCommand): Promise<IngestWebhookResult> {
    const outcome = await this.inbox.write(toInboxRecord(command));
    switch (outcome.status) {
      case 'accepted':
        return { accepted: true, inboxId: outcome.inboxId, queueItemIds: outcome.queueItemIds };
      case 'duplicate':
        return { duplicate: true, inboxId: outcome.inboxId };
      case 'invalid':
        throw new ValidationFailedError(
          outcome.errors,
          `The delivery failed validation; it is kept for audit as inbox event ${outcome.inboxId}`,
        );
    }
  }
}
