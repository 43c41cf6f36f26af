import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { queryRows } from '../../../../shared/database/sql.js';
import { SetStockLevelsCommand } from './set-stock-levels.command.js';
import { SET_STOCK_LEVELS_SQL } from './set-stock-levels.sql.js';

@CommandHandler(SetStockLevelsCommand)
export class SetStockLevelsHandler implements ICommandHandler<SetStockLevelsCommand, number[]> {
  async execute({ tx, levels }: SetStockLevelsCommand): Promise<number[]> {
    if (levels.length === 0) return [];
    const rows = await queryRows<{ id: string | number }>(tx, SET_STOCK_LEVELS_SQL, [JSON.stringify(levels)]);
    return rows.map((row) => Number(row.id));
  }
}
