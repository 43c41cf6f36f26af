import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TODO(helper): inventory_products, inventory_stock_levels. */
export class Inventory1764510000000 implements MigrationInterface {
  name = 'Inventory1764510000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
