import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { UpsertProductsCommand } from './upsert-products.command.js';
import { UPSERT_PRODUCTS_SQL } from './upsert-products.sql.js';

@CommandHandler(UpsertProductsCommand)
export class UpsertProductsHandler implements ICommandHandler<UpsertProductsCommand, number[]> {
  async execute({ tx, products }: UpsertProductsCommand): Promise<number[]> {
    if (products.length === 0) return [];
    const rows = await queryRows<{ id: string | number }>(tx, UPSERT_PRODUCTS_SQL, [JSON.stringify(products)]);
    return rows.map((row) => Number(row.id));
  }
}
