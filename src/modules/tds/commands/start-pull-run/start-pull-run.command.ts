import { Command } from '@nestjs/cqrs';
import type { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';

export type PullMode = 'full' | 'incremental';

/**
 * Starts pulling one entity type from a source account: `full` reads every record, `incremental`
 * those changed since the cursor (less the overlap window), or every record when there is no
 * cursor yet. The run is created at once and fetched by whichever instance takes its lease
 * (PullRunnerService). Refused with 409 SYNC_RUN.PULL_IN_PROGRESS while a run of the same
 * source, account and entity type is still fetching. Returns the new run.
 */
export class StartPullRunCommand extends Command<SyncRunDto> {
  constructor(
    readonly source: string,
    readonly entityType: string,
    readonly mode: PullMode,
    /** Absent: the source's only account. */
    readonly account?: string,
  ) {
    super();
  }
}
