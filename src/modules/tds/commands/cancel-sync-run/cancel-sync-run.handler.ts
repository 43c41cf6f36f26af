import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { ConflictError } from '../../../../shared/errors/domain-error.js';
import type { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';
import { toSyncRunDto } from '../../queries/get-sync-run/get-sync-run.sql.js';
import type { SyncRunRow } from '../../queries/get-sync-run/get-sync-run.sql.js';
import { SyncRunNotFoundError } from '../../queries/get-sync-run/sync-run.errors.js';
import { CancelSyncRunCommand } from './cancel-sync-run.command.js';
import { CANCEL_OPEN_ITEMS_SQL, CLOSE_SYNC_RUN_SQL, LOCK_SYNC_RUN_SQL, READ_SYNC_RUN_SQL } from './cancel-sync-run.sql.js';

export class SyncRunNotCancellableError extends ConflictError {
  constructor(id: number, status: string) {
    super('SYNC_RUN.NOT_CANCELLABLE', `Sync run ${id} is ${status}: only a pending or running run can be cancelled`);
  }
}

/**
 * A webhook run is the hour's account of live deliveries, not a job an operator started:
 * cancelling it would throw away the newest versions of records the source sent, and the hour's
 * later deliveries would join it anyway. Its failed items are handled in the dead-letter queue.
 */
export class WebhookRunNotCancellableError extends ConflictError {
  constructor(id: number) {
    super(
      'SYNC_RUN.WEBHOOK_NOT_CANCELLABLE',
      `Sync run ${id} is a webhook run (the deliveries of one source and hour): it cannot be cancelled; it closes once its hour is over`,
    );
  }
}

@CommandHandler(CancelSyncRunCommand)
export class CancelSyncRunHandler implements ICommandHandler<CancelSyncRunCommand, SyncRunDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ syncRunId, cancelledBy }: CancelSyncRunCommand): Promise<SyncRunDto> {
    const run = await this.dataSource.transaction(async (manager) => {
      const tx = manager.queryRunner as QueryRunner;
      // Read, not locked: the item update below may wait for a worker batch, which locks the run
      // at its end; holding the run while waiting for it would deadlock.
      const [current] = await queryRows<SyncRunRow>(tx, READ_SYNC_RUN_SQL, [syncRunId]);
      if (!current) throw new SyncRunNotFoundError(syncRunId);
      if (current.kind === 'webhook') throw new WebhookRunNotCancellableError(syncRunId);
      // A retried cancel (a double click, a client retry) gets the run it cancelled before.
      if (current.status === 'cancelled') return current;
      if (!isOpen(current.status)) throw new SyncRunNotCancellableError(syncRunId, current.status);

      const [{ items }] = await queryRows<{ items: number }>(tx, CANCEL_OPEN_ITEMS_SQL, [syncRunId]);

      const [locked] = await queryRows<SyncRunRow>(tx, LOCK_SYNC_RUN_SQL, [syncRunId]);
      if (!isOpen(locked.status)) {
        // Closed while the cancel waited for a batch (it finished the run's last items), or
        // cancelled by a concurrent cancel: then nothing was open to cancel. Should an item
        // have been cancelled anyway, throwing rolls that back.
        if (locked.status === 'cancelled' && items === 0) return locked;
        throw new SyncRunNotCancellableError(syncRunId, locked.status);
      }
      const [cancelled] = await queryRows<SyncRunRow>(tx, CLOSE_SYNC_RUN_SQL, [syncRunId, cancelledBy, items]);
      return cancelled;
    });
    return toSyncRunDto(run);
  }
}

const isOpen = (status: string) => status === 'pending' || status === 'running';
