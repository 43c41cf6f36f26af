import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { IndexDocumentsCommand } from './index-documents.command.js';
import type { IndexDocumentsResult } from './index-documents.command.js';
import { INDEX_DOCUMENTS_SQL } from './index-documents.sql.js';

/** A run of non-space characters holding anything but a letter or a digit: a code, a path, an email, a hyphenated word. */
const PUNCTUATED_WORD = /\S*[^\p{L}\p{N}\s]\S*/gu;

/** The body's words that the split reading of INDEX_DOCUMENTS_SQL must see; a regular expression here costs a fraction of one in SQL. */
const punctuatedWords = (body: string): string => (body.match(PUNCTUATED_WORD) ?? []).join(' ');

@CommandHandler(IndexDocumentsCommand)
export class IndexDocumentsHandler implements ICommandHandler<IndexDocumentsCommand, IndexDocumentsResult> {
  async execute({ tx, documents, rewriteSameVersion }: IndexDocumentsCommand): Promise<IndexDocumentsResult> {
    if (documents.length === 0) return { written: 0 };
    const input = documents.map((document) => Object.assign({}, document, { punctuated: punctuatedWords(document.body) }));
    const rows = await queryRows(tx, INDEX_DOCUMENTS_SQL, [JSON.stringify(input), rewriteSameVersion]);
    return { written: rows.length };
  }
}
