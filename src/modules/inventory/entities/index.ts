import { ProductEntity } from './product.entity.js';
import { StockLevelEntity } from './stock-level.entity.js';

/** Every TypeORM entity of the inventory module. */
export const INVENTORY_ENTITIES = [ProductEntity, StockLevelEntity];
