import { Command } from '@nestjs/cqrs';

/** Records read per page, each page written in its own transaction (batches of 200-500 measured best, STACK-NOTES). */
export const REINDEX_PAGE_SIZE = 500;

export interface ReindexAllResult {
  /** Mirror records read (products, customers, invoices, sales orders, deleted ones included). */
  scanned: number;
  /** Documents written; a document a live change had already moved past is left as it is. */
  indexed: number;
  /** Tombstones written for records deleted in the mirror. */
  removed: number;
  pages: number;
}

/**
 * Rebuilds search_documents from the TDS mirror: every record again, its text made by the
 * current mapping. Safe beside live reactions: each write is version-guarded, so a page read
 * before a newer change cannot undo that change.
 */
export class ReindexAllCommand extends Command<ReindexAllResult> {
  constructor(readonly pageSize = REINDEX_PAGE_SIZE) {
    super();
  }
}
