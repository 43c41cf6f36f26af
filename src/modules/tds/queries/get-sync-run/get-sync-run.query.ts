import { Query } from '@nestjs/cqrs';
import type { SyncRunDto } from './get-sync-run.dto.js';

/** One sync run with its counters, progress and duration. */
export class GetSyncRunQuery extends Query<SyncRunDto> {
  constructor(readonly id: number) {
    super();
  }
}
