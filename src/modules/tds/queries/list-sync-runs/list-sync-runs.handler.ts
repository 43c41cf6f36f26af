import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { decodeCursor, encodeCursor } from '../../../../shared/pagination/keyset-cursor.js';
import { toSyncRunDto } from '../get-sync-run/get-sync-run.sql.js';
import type { SyncRunRow } from '../get-sync-run/get-sync-run.sql.js';
import { pageSize } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { ListSyncRunsQuery } from './list-sync-runs.query.js';
import type { SyncRunPage } from './list-sync-runs.query.js';
import { LIST_SYNC_RUNS_SQL } from './list-sync-runs.sql.js';

/** created_at as text with its microseconds (a JS Date would drop them), and the id. */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isRunKey = (key: unknown[]) => key.length === 2 && typeof key[0] === 'string' && CURSOR_AT.test(key[0]) && Number.isSafeInteger(key[1]);

@QueryHandler(ListSyncRunsQuery)
export class ListSyncRunsHandler implements IQueryHandler<ListSyncRunsQuery, SyncRunPage> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params: { status, kind, entityType, since, limit, cursor } }: ListSyncRunsQuery): Promise<SyncRunPage> {
    const size = pageSize(limit);
    const [at, id] = cursor ? decodeCursor<[string, number]>(cursor, 'cursor', isRunKey) : [null, null];
    const rows = await queryRows<SyncRunRow & { cursorAt: string }>(this.dataSource, LIST_SYNC_RUNS_SQL, [
      status ?? null,
      kind ?? null,
      entityType ?? null,
      since ?? null,
      at,
      id,
      size,
    ]);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ cursorAt: _cursorAt, ...row }) => toSyncRunDto(row)),
      nextCursor: rows.length === size ? encodeCursor([last.cursorAt, last.id]) : null,
    };
  }
}
