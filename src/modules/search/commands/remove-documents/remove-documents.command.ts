import { Command } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import type { DocumentKey } from '../../domain/search-document.js';

export interface RemoveDocumentsResult {
  /** Tombstones written; a delete of lower precedence than the stored row writes nothing. */
  written: number;
}

/** Turns documents into tombstones inside the caller's transaction `tx`; version-guarded like IndexDocumentsCommand. */
export class RemoveDocumentsCommand extends Command<RemoveDocumentsResult> {
  constructor(
    readonly tx: QueryRunner,
    readonly keys: readonly DocumentKey[],
  ) {
    super();
  }
}
