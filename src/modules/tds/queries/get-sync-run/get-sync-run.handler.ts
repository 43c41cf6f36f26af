import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import type { SyncRunDto } from './get-sync-run.dto.js';
import { GetSyncRunQuery } from './get-sync-run.query.js';
import { GET_SYNC_RUN_SQL, toSyncRunDto } from './get-sync-run.sql.js';
import type { SyncRunRow } from './get-sync-run.sql.js';
import { SyncRunNotFoundError } from './sync-run.errors.js';

@QueryHandler(GetSyncRunQuery)
export class GetSyncRunHandler implements IQueryHandler<GetSyncRunQuery, SyncRunDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ id }: GetSyncRunQuery): Promise<SyncRunDto> {
    const [row] = await queryRows<SyncRunRow>(this.dataSource, GET_SYNC_RUN_SQL, [id]);
    if (!row) throw new SyncRunNotFoundError(id);
    return toSyncRunDto(row);
  }
}
