import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { EntityProcessorRegistry } from '../../processors/entity-processor.registry.js';
import type { EntityTypeStatusDto } from './list-entity-types.dto.js';
import { ListEntityTypesQuery } from './list-entity-types.query.js';
import { LIST_ENTITY_TYPES_SQL } from './list-entity-types.sql.js';

type EntityTypeRow = Omit<EntityTypeStatusDto, 'lastSuccessAt'> & { lastSuccessAt: Date | null };

@QueryHandler(ListEntityTypesQuery)
export class ListEntityTypesHandler implements IQueryHandler<ListEntityTypesQuery, EntityTypeStatusDto[]> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly processors: EntityProcessorRegistry,
  ) {}

  async execute({ options }: ListEntityTypesQuery): Promise<EntityTypeStatusDto[]> {
    const rows = await queryRows<EntityTypeRow>(this.dataSource, LIST_ENTITY_TYPES_SQL, [this.processors.types(), options.mirrorCounts]);
    return rows.map((row) => ({ ...row, lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null }));
  }
}
