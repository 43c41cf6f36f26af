import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { GetSyncRunErrorsQuery } from './get-sync-run-errors.query.js';
import type { SyncRunErrorCount } from './get-sync-run-errors.query.js';
import { GET_SYNC_RUN_ERRORS_SQL } from './get-sync-run-errors.sql.js';

@QueryHandler(GetSyncRunErrorsQuery)
export class GetSyncRunErrorsHandler implements IQueryHandler<GetSyncRunErrorsQuery, SyncRunErrorCount[]> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ syncRunId }: GetSyncRunErrorsQuery): Promise<SyncRunErrorCount[]> {
    return queryRows<SyncRunErrorCount>(this.dataSource, GET_SYNC_RUN_ERRORS_SQL, [syncRunId]);
  }
}
