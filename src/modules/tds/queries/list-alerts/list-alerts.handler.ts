import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { decodeCursor, encodeCursor } from '../../../../shared/pagination/keyset-cursor.js';
import { toAlertView } from '../../alerts/alert-view.js';
import type { AlertRow } from '../../alerts/alert-view.js';
import { ListAlertsQuery } from './list-alerts.query.js';
import type { AlertPage } from './list-alerts.query.js';
import { LIST_ALERTS_SQL } from './list-alerts.sql.js';

const MAX_LIMIT = 500;

/** created_at as text with its microseconds (a JS Date would drop them), and the id. */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isAlertKey = (key: unknown[]) => key.length === 2 && typeof key[0] === 'string' && CURSOR_AT.test(key[0]) && Number.isSafeInteger(key[1]);

@QueryHandler(ListAlertsQuery)
export class ListAlertsHandler implements IQueryHandler<ListAlertsQuery, AlertPage> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params: { status, severity, rule, entityType, limit, cursor } }: ListAlertsQuery): Promise<AlertPage> {
    const size = Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
    const [at, id] = cursor ? decodeCursor<[string, number]>(cursor, 'cursor', isAlertKey) : [null, null];
    const rows = await queryRows<AlertRow & { cursorAt: string }>(this.dataSource, LIST_ALERTS_SQL, [
      status ?? null,
      severity ?? null,
      rule ?? null,
      entityType ?? null,
      at,
      id,
      size,
    ]);
    const last = rows[rows.length - 1];
    return { items: rows.map(toAlertView), nextCursor: rows.length === size ? encodeCursor([last.cursorAt, last.id]) : null };
  }
}
