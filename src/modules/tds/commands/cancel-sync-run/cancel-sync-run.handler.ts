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
import { CANCEL_SYNC_RUN_SQL, LOCK_SYNC_RUN_SQL } from './cancel-sync-run.sql.js';

export class SyncRunNotCancellableError extends ConflictError {
  constructor(id: number, status: string) {
    super('SYNC_RUN.NOT_CANCELLABLE', `Sync run ${id} is ${status}: only a pending or running run can be cancelled`);
  }
}

@CommandHandler(CancelSyncRunCommand)
export class CancelSyncRunHandler implements ICommandHandler<CancelSyncRunCommand, SyncRunDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ syncRunId, cancelledBy }: CancelSyncRunCommand): Promise<SyncRunDto> {
    const run = await this.dataSource.transaction(async (manager) => {
      const tx = manager.queryRunner as QueryRunner;
      const [locked] = await queryRows<SyncRunRow>(tx, LOCK_SYNC_RUN_SQL, [syncRunId]);
      if (!locked) throw new SyncRunNotFoundError(syncRunId);
      // A retried cancel (a double click, a client retry) gets the run it cancelled before.
      if (locked.status === 'cancelled') return locked;
      if (locked.status !== 'pending' && locked.status !== 'running') {
        throw new SyncRunNotCancellableError(syncRunId, locked.status);
      }
      const [cancelled] = await queryRows<SyncRunRow>(tx, CANCEL_SYNC_RUN_SQL, [syncRunId, cancelledBy]);
      return cancelled;
    });
    return toSyncRunDto(run);
  }
}
