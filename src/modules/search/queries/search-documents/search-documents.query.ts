import { Query } from '@nestjs/cqrs';
import type { SearchableType } from '../../domain/search-document.js';
import type { SearchResultsDto } from './search-documents.dto.js';

export interface SearchDocumentsParams {
  /** Web-search syntax: words, "quoted phrases", OR, -excluded. */
  q: string;
  type?: SearchableType;
  limit?: number;
}

export class SearchDocumentsQuery extends Query<SearchResultsDto> {
  constructor(readonly params: SearchDocumentsParams) {
    super();
  }
}
