import type { OnModuleInit } from '@nestjs/common';
import { CommandBus, EventsHandler } from '@nestjs/cqrs';
import type { IEventHandler } from '@nestjs/cqrs';
import { DurableReactions } from '../../../shared/reactions/durable-reactions.js';
import { TdsEntitiesSyncedEvent, TdsEntitySyncedEvent } from '../../tds/public.js';
import type { EntityChange } from '../../tds/public.js';
import { IndexDocumentsCommand } from '../commands/index-documents/index-documents.command.js';
import { RemoveDocumentsCommand } from '../commands/remove-documents/remove-documents.command.js';
import { documentWrites } from '../domain/record-changes.js';
import { isSearchableType, SEARCHABLE_TYPES } from '../domain/search-document.js';
import type { SearchableType } from '../domain/search-document.js';

/** The receipts' key: renaming it would make every past event look unhandled. */
export const SEARCH_DOCUMENTS_REACTION = 'search.documents';

type SearchableChange = EntityChange & { entityType: SearchableType };

/**
 * Keeps search_documents in step with the mirror, one transaction per batch of entity changes
 * (receipts included, so a redelivered change does nothing). Any order of changes ends in the
 * same documents: the commands keep the highest precedence per record.
 */
@EventsHandler(TdsEntitiesSyncedEvent)
export class SearchDocumentsReaction implements IEventHandler<TdsEntitiesSyncedEvent>, OnModuleInit {
  constructor(
    private readonly reactions: DurableReactions,
    private readonly commandBus: CommandBus,
  ) {}

  onModuleInit(): void {
    this.reactions.register({
      name: SEARCH_DOCUMENTS_REACTION,
      eventTypes: TdsEntitySyncedEvent.types,
      entityTypes: SEARCHABLE_TYPES,
    });
  }

  handle(event: TdsEntitiesSyncedEvent): Promise<void> {
    const relevant = (event.changes ?? []).filter((change): change is SearchableChange => isSearchableType(change.entityType));
    return this.reactions.run(SEARCH_DOCUMENTS_REACTION, relevant, async (tx, fresh) => {
      const { documents, removals } = documentWrites(
        fresh.map((change) => ({
          type: change.entityType,
          source: change.source,
          sourceId: change.sourceEntityId,
          version: change.version,
          arrivalSeq: change.queueItemId,
          deleted: change.operation === 'delete',
          data: change.data,
        })),
      );
      await this.commandBus.execute(new IndexDocumentsCommand(tx, documents));
      await this.commandBus.execute(new RemoveDocumentsCommand(tx, removals));
    });
  }
}
