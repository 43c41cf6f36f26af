import { Command } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import type { SearchDocument } from '../../domain/search-document.js';

export interface IndexDocumentsResult {
  /** Rows written; a change of lower precedence than the stored row writes nothing. */
  written: number;
}

/**
 * Upserts search documents inside the caller's transaction `tx` (a durable reaction's, so
 * the documents commit with its receipts). Version-guarded: safe in any order, and beside
 * other writers.
 */
export class IndexDocumentsCommand extends Command<IndexDocumentsResult> {
  constructor(
    readonly tx: QueryRunner,
    readonly documents: readonly SearchDocument[],
    /** Rebuild the text of rows already at this precedence (reindexing after a mapping change). */
    readonly rewriteSameVersion = false,
  ) {
    super();
  }
}
