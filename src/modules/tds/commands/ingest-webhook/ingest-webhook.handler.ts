import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { toInboxRecord } from '../../ingestion/inbox-record.js';
import { InboxWriter } from './inbox-writer.js';
import { IngestWebhookCommand } from './ingest-webhook.command.js';
import type { IngestWebhookResult } from './ingest-webhook.command.js';

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
