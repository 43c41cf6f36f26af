import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { DEFAULT_SEARCH_LIMIT } from './search-documents.dto.js';
import type { SearchResultDto, SearchResultsDto } from './search-documents.dto.js';
import { SearchDocumentsQuery } from './search-documents.query.js';
import { SEARCH_DOCUMENTS_SQL } from './search-documents.sql.js';

@QueryHandler(SearchDocumentsQuery)
export class SearchDocumentsHandler implements IQueryHandler<SearchDocumentsQuery, SearchResultsDto> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params }: SearchDocumentsQuery): Promise<SearchResultsDto> {
    const items = await queryRows<SearchResultDto>(this.dataSource, SEARCH_DOCUMENTS_SQL, [
      params.q,
      params.type ?? null,
      params.limit ?? DEFAULT_SEARCH_LIMIT,
    ]);
    return { items };
  }
}
