import { Command } from '@nestjs/cqrs';
import type { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';

/**
 * An operator stops a pending or running sync run: every item of it still open (pending or
 * retry) becomes cancelled. A worker batch applying items of the run right now is waited for
 * (at most one batch's duration): what it finishes is counted as usual, what it leaves open
 * (deferred, sent to retry) is cancelled too, so nothing of the run is applied afterwards.
 * Cancelling a cancelled run again changes nothing. Returns the run as it is then.
 */
export class CancelSyncRunCommand extends Command<SyncRunDto> {
  constructor(
    readonly syncRunId: number,
    /** Who asked: recorded in the run's error summary. */
    readonly cancelledBy: string,
  ) {
    super();
  }
}
