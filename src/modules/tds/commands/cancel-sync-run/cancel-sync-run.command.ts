import { Command } from '@nestjs/cqrs';
import type { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';

/**
 * An operator stops a pending or running sync run: its items not yet taken by a worker become
 * cancelled; items a worker batch is applying right now finish normally and are still counted.
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
