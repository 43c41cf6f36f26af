import { Query } from '@nestjs/cqrs';

export interface SyncRunErrorCount {
  errorCode: string;
  /** Items of the run that ended dead-lettered or are waiting for a retry with this code. */
  count: number;
  /** The newest error message with this code. */
  lastMessage: string;
}

/** A run's failures grouped by error code, most frequent first; [] for a run without failures or an unknown run. */
export class GetSyncRunErrorsQuery extends Query<SyncRunErrorCount[]> {
  constructor(readonly syncRunId: number) {
    super();
  }
}
