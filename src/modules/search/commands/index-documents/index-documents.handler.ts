import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { IndexDocumentsCommand } from './index-documents.command.js';
import type { IndexDocumentsResult } from './index-documents.command.js';
import { INDEX_DOCUMENTS_SQL } from './index-documents.sql.js';

@CommandHandler(IndexDocumentsCommand)
export class IndexDocumentsHandler implements ICommandHandler<IndexDocumentsCommand, IndexDocumentsResult> {
  async execute({ tx, documents, rewriteSameVersion }: IndexDocumentsCommand): Promise<IndexDocumentsResult> {
    if (documents.length === 0) return { written: 0 };
    const rows = await queryRows(tx, INDEX_DOCUMENTS_SQL, [JSON.stringify(documents), rewriteSameVersion]);
    return { written: rows.length };
  }
}
