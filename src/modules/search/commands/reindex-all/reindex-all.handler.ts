import { CommandBus, CommandHandler, QueryBus } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { ListMirrorEntitiesQuery } from '../../../tds/public.js';
import type { MirrorEntity, MirrorEntityPage } from '../../../tds/public.js';
import { documentWrites } from '../../domain/record-changes.js';
import { isSearchableType, SEARCHABLE_TYPES } from '../../domain/search-document.js';
import type { SearchableType } from '../../domain/search-document.js';
import { IndexDocumentsCommand } from '../index-documents/index-documents.command.js';
import { RemoveDocumentsCommand } from '../remove-documents/remove-documents.command.js';
import { ReindexAllCommand } from './reindex-all.command.js';
import type { ReindexAllResult } from './reindex-all.command.js';

/** How often a page that lost a deadlock to a live reaction is written again before the reindex fails. */
const CONFLICT_RETRIES = 3;

@CommandHandler(ReindexAllCommand)
export class ReindexAllHandler implements ICommandHandler<ReindexAllCommand, ReindexAllResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queryBus: QueryBus,
    private readonly commandBus: CommandBus,
  ) {}

  async execute({ pageSize }: ReindexAllCommand): Promise<ReindexAllResult> {
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    const result: ReindexAllResult = { scanned: 0, indexed: 0, removed: 0, pages: 0 };
    let after: string | null = null;
    do {
      // Read outside the write transaction: on PGlite's single connection a read through the
      // DataSource would wait for the transaction's connection forever.
      const page: MirrorEntityPage = await this.queryBus.execute(new ListMirrorEntitiesQuery({ entityTypes: [...SEARCHABLE_TYPES], after, limit: pageSize }));
      const { documents, removals } = documentWrites(
        page.items
          .filter((item): item is MirrorEntity & { entityType: SearchableType } => isSearchableType(item.entityType))
          .map((item) => ({
            type: item.entityType,
            source: item.source,
            sourceId: item.sourceEntityId,
            version: item.version,
            arrivalSeq: item.arrivalSeq,
            deleted: item.deleted,
            data: item.data,
          })),
      );
      const written = await this.inTransaction(async (tx) => ({
        // Rewrites rows at their own precedence too: reindexing is how a changed mapping reaches them.
        indexed: (await this.commandBus.execute(new IndexDocumentsCommand(tx, documents, true))).written,
        removed: (await this.commandBus.execute(new RemoveDocumentsCommand(tx, removals))).written,
      }));
      result.scanned += page.items.length;
      result.indexed += written.indexed;
      result.removed += written.removed;
      result.pages += 1;
      after = page.nextCursor;
    } while (after !== null);
    return result;
  }

  private async inTransaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const tx = this.dataSource.createQueryRunner();
      try {
        await tx.connect();
        await tx.startTransaction();
        const value = await work(tx);
        await tx.commitTransaction();
        return value;
      } catch (error) {
        if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
        // A deadlock is about timing, not the page: the guarded writes can simply run again.
        if (attempt >= CONFLICT_RETRIES || !isConflict(error)) throw error;
      } finally {
        // Before the next attempt: PGlite's single connection must be free for it.
        await tx.release();
      }
    }
  }
}

/** Deadlock victim or serialization failure. */
function isConflict(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '40P01' || code === '40001';
}
