import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { decodeCursor, encodeCursor } from '../../../../shared/pagination/keyset-cursor.js';
import { pageSize } from '../../../../shared/pagination/keyset-page-query.dto.js';
import type { DeadLetterDto, DeadLetterPageDto } from './list-dead-letters.dto.js';
import { ListDeadLettersQuery } from './list-dead-letters.query.js';
import { LIST_DEAD_LETTERS_SQL } from './list-dead-letters.sql.js';

type DeadLetterRow = Omit<DeadLetterDto, 'createdAt' | 'resolvedAt' | 'replayedAt'> & {
  createdAt: Date;
  resolvedAt: Date | null;
  replayedAt: Date | null;
  cursorAt: string;
};

/** created_at as text with its microseconds, and the id. */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isDeadLetterKey = (key: unknown[]) =>
  key.length === 2 && typeof key[0] === 'string' && CURSOR_AT.test(key[0]) && Number.isSafeInteger(key[1]) && (key[1] as number) > 0;

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

@QueryHandler(ListDeadLettersQuery)
export class ListDeadLettersHandler implements IQueryHandler<ListDeadLettersQuery, DeadLetterPageDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ filters }: ListDeadLettersQuery): Promise<DeadLetterPageDto> {
    const limit = pageSize(filters.limit);
    const [at, id] = filters.cursor === undefined ? [null, null] : decodeCursor<[string, number]>(filters.cursor, 'cursor', isDeadLetterKey);
    // One row beyond the page says whether another page follows: no empty last page.
    const rows = await queryRows<DeadLetterRow>(this.dataSource, LIST_DEAD_LETTERS_SQL, [
      filters.entityType ?? null,
      filters.errorCode ?? null,
      filters.resolved ?? null,
      at,
      id,
      limit + 1,
    ]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        queueItemId: row.queueItemId,
        entityType: row.entityType,
        sourceEntityId: row.sourceEntityId,
        errorCode: row.errorCode,
        failureReason: row.failureReason,
        attempts: row.attempts,
        createdAt: new Date(row.createdAt).toISOString(),
        resolvedAt: iso(row.resolvedAt),
        resolvedBy: row.resolvedBy,
        resolutionNote: row.resolutionNote,
        replayedAt: iso(row.replayedAt),
        replayedBy: row.replayedBy,
        replayQueueItemId: row.replayQueueItemId,
      })),
      nextCursor: rows.length > limit ? encodeCursor([last.cursorAt, last.id]) : null,
    };
  }
}
