import { SearchDocumentEntity } from './search-document.entity.js';

/** Every TypeORM entity of the search module. */
export const SEARCH_ENTITIES: Function[] = [SearchDocumentEntity];
