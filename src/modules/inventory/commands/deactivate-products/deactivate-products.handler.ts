import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { DeactivateProductsCommand } from './deactivate-products.command.js';
import { DEACTIVATE_PRODUCTS_SQL } from './deactivate-products.sql.js';

@CommandHandler(DeactivateProductsCommand)
export class DeactivateProductsHandler implements ICommandHandler<DeactivateProductsCommand, number[]> {
  async execute({ tx, keys }: DeactivateProductsCommand): Promise<number[]> {
    if (keys.length === 0) return [];
    const rows = await queryRows<{ id: string | number }>(tx, DEACTIVATE_PRODUCTS_SQL, [JSON.stringify(keys)]);
    return rows.map((row) => Number(row.id));
  }
}
