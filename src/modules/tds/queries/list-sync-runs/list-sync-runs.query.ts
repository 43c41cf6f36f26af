import { Query } from '@nestjs/cqrs';
import type { SyncRunDto } from '../get-sync-run/get-sync-run.dto.js';

export interface ListSyncRunsParams {
  status?: SyncRunDto['status'];
  kind?: SyncRunDto['kind'];
  entityType?: string;
  /** ISO-8601: runs started at or after it. */
  since?: string;
  /** 1..200. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface SyncRunPage {
  items: SyncRunDto[];
  /** Null after the last page. */
  nextCursor: string | null;
}

/** Sync runs, newest first, a keyset page at a time. */
export class ListSyncRunsQuery extends Query<SyncRunPage> {
  constructor(readonly params: ListSyncRunsParams) {
    super();
  }
}
