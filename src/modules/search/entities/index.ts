/** Every TypeORM entity of the search module. */
export const SEARCH_ENTITIES: Function[] = [];
