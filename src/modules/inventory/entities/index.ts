/** Every TypeORM entity of the inventory module. */
export const INVENTORY_ENTITIES: Function[] = [];
