import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { RemoveDocumentsCommand } from './remove-documents.command.js';
import type { RemoveDocumentsResult } from './remove-documents.command.js';
import { REMOVE_DOCUMENTS_SQL } from './remove-documents.sql.js';

@CommandHandler(RemoveDocumentsCommand)
export class RemoveDocumentsHandler implements ICommandHandler<RemoveDocumentsCommand, RemoveDocumentsResult> {
  async execute({ tx, keys }: RemoveDocumentsCommand): Promise<RemoveDocumentsResult> {
    if (keys.length === 0) return { written: 0 };
    // Only the key and precedence go in: whatever else the caller's objects carry is not needed.
    const input = keys.map(({ type, source, sourceId, version, arrivalSeq }) => ({ type, source, sourceId, version, arrivalSeq }));
    const rows = await queryRows(tx, REMOVE_DOCUMENTS_SQL, [JSON.stringify(input)]);
    return { written: rows.length };
  }
}
