import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeactivateProductsHandler } from './commands/deactivate-products/deactivate-products.handler.js';
import { InvalidateInventoryCacheHandler } from './commands/invalidate-inventory-cache/invalidate-inventory-cache.handler.js';
import { SetStockLevelsHandler } from './commands/set-stock-levels/set-stock-levels.handler.js';
import { UpsertProductsHandler } from './commands/upsert-products/upsert-products.handler.js';
import { INVENTORY_ENTITIES } from './entities/index.js';
import { GetProductController } from './queries/get-product/get-product.controller.js';
import { GetProductHandler } from './queries/get-product/get-product.handler.js';
import { ListProductsController } from './queries/list-products/list-products.controller.js';
import { ListProductsHandler } from './queries/list-products/list-products.handler.js';
import { InventoryCatalogueReaction } from './reactions/inventory-catalogue.reaction.js';
import { InventoryCacheSaga } from './sagas/inventory-cache.saga.js';

/**
 * Products and stock levels, kept in step with TDS by a durable reaction to its entity
 * changes, read through a cache (AppCache, global) at /api/inventory/products.
 */
@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature(INVENTORY_ENTITIES)],
  controllers: [ListProductsController, GetProductController],
  providers: [
    UpsertProductsHandler,
    DeactivateProductsHandler,
    SetStockLevelsHandler,
    InvalidateInventoryCacheHandler,
    InventoryCatalogueReaction,
    InventoryCacheSaga,
    GetProductHandler,
    ListProductsHandler,
  ],
})
export class InventoryModule {}
