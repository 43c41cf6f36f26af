import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { FindOpenDeadLetterIdsQuery } from './find-open-dead-letter-ids.query.js';
import type { OpenDeadLetterIds } from './find-open-dead-letter-ids.query.js';
import { FIND_OPEN_DEAD_LETTER_IDS_SQL } from './find-open-dead-letter-ids.sql.js';

@QueryHandler(FindOpenDeadLetterIdsQuery)
export class FindOpenDeadLetterIdsHandler implements IQueryHandler<FindOpenDeadLetterIdsQuery, OpenDeadLetterIds> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ filter, limit }: FindOpenDeadLetterIdsQuery): Promise<OpenDeadLetterIds> {
    // One row beyond the limit says whether more are left for another call.
    const rows = await queryRows<{ id: number }>(this.dataSource, FIND_OPEN_DEAD_LETTER_IDS_SQL, [
      filter.entityType ?? null,
      filter.errorCode ?? null,
      limit + 1,
    ]);
    return { ids: rows.slice(0, limit).map((row) => row.id), more: rows.length > limit };
  }
}
