import type { QueryRunner } from 'typeorm';
import type { ProductKey } from '../../../src/modules/inventory/commands/deactivate-products/deactivate-products.command.js';
import { DeactivateProductsCommand } from '../../../src/modules/inventory/commands/deactivate-products/deactivate-products.command.js';
import { DeactivateProductsHandler } from '../../../src/modules/inventory/commands/deactivate-products/deactivate-products.handler.js';
import type { StockLevelChange } from '../../../src/modules/inventory/commands/set-stock-levels/set-stock-levels.command.js';
import { SetStockLevelsCommand } from '../../../src/modules/inventory/commands/set-stock-levels/set-stock-levels.command.js';
import { SetStockLevelsHandler } from '../../../src/modules/inventory/commands/set-stock-levels/set-stock-levels.handler.js';
import type { ProductUpsert } from '../../../src/modules/inventory/commands/upsert-products/upsert-products.command.js';
import { UpsertProductsCommand } from '../../../src/modules/inventory/commands/upsert-products/upsert-products.command.js';
import { UpsertProductsHandler } from '../../../src/modules/inventory/commands/upsert-products/upsert-products.handler.js';
import { queryRows } from '../../../src/shared/database/sql.js';
import { describeEachBackend, openTestDataSource, type TestDataSource } from '../../support/test-database.js';

/*
 * The catalogue commands against a real database: one statement per batch, and the mirror's
 * precedence (version, delete beats update, arrival sequence) whatever order changes come in.
 */

let nextId = 0;
/** A fresh source id per test, so tests share one database without seeing each other. */
const freshId = () => `item-${++nextId}`;

const product = (sourceId: string, version: number, arrivalSeq: number, overrides: Partial<ProductUpsert> = {}): ProductUpsert => ({
  source: 'zoho',
  sourceId,
  sku: `SKU-${sourceId}`,
  name: `${sourceId} v${version} a${arrivalSeq}`,
  price: `${version}.25`,
  unit: 'pcs',
  status: 'active',
  active: true,
  version,
  arrivalSeq,
  ...overrides,
});

const key = (sourceId: string, version: number, arrivalSeq: number): ProductKey => ({ source: 'zoho', sourceId, version, arrivalSeq });

const level = (
  productSourceId: string,
  warehouseId: string,
  version: number,
  arrivalSeq: number,
  overrides: Partial<StockLevelChange> = {},
): StockLevelChange => ({
  source: 'zoho',
  productSourceId,
  warehouseId,
  warehouseName: `W${warehouseId}`,
  onHand: `${version}`,
  available: `${version - 1}`,
  deleted: false,
  version,
  arrivalSeq,
  ...overrides,
});

interface StoredProduct {
  id: number;
  name: string;
  price: number | null;
  active: boolean;
  deleted: boolean;
  version: number;
  arrivalSeq: number;
}

describeEachBackend('inventory catalogue commands', (backend) => {
  let db: TestDataSource;
  let tx: QueryRunner;
  let statements: number;
  const upsert = new UpsertProductsHandler();
  const deactivate = new DeactivateProductsHandler();
  const setLevels = new SetStockLevelsHandler();

  beforeAll(async () => {
    db = await openTestDataSource(backend.kind, backend.env.DATABASE_URL || undefined);
  });
  afterAll(async () => {
    await db?.close();
  });

  // Each test in its own transaction, as the reaction runs them; statements counted on the way.
  beforeEach(async () => {
    tx = db.dataSource.createQueryRunner();
    await tx.connect();
    await tx.startTransaction();
    statements = 0;
    const query = tx.query.bind(tx);
    tx.query = ((...args: Parameters<QueryRunner['query']>) => {
      statements++;
      return query(...args);
    }) as QueryRunner['query'];
  });
  afterEach(async () => {
    await tx.commitTransaction();
    await tx.release();
  });

  const stored = async (sourceId: string): Promise<StoredProduct | undefined> => {
    const [row] = await queryRows<Record<string, unknown>>(
      tx,
      `SELECT id, name, price, active, deleted, version, arrival_seq AS "arrivalSeq" FROM inventory_products
       WHERE source = 'zoho' AND source_id = $1`,
      [sourceId],
    );
    statements--;
    if (!row) return undefined;
    return {
      id: Number(row.id),
      name: row.name as string,
      price: row.price === null ? null : Number(row.price),
      active: row.active as boolean,
      deleted: row.deleted as boolean,
      version: Number(row.version),
      arrivalSeq: Number(row.arrivalSeq),
    };
  };

  const storedLevel = async (productSourceId: string, warehouseId: string) => {
    const [row] = await queryRows<Record<string, unknown>>(
      tx,
      `SELECT on_hand AS "onHand", available, warehouse_name AS "warehouseName", deleted, version, arrival_seq AS "arrivalSeq"
       FROM inventory_stock_levels WHERE source = 'zoho' AND product_source_id = $1 AND warehouse_id = $2`,
      [productSourceId, warehouseId],
    );
    statements--;
    if (!row) return undefined;
    return {
      onHand: Number(row.onHand),
      available: row.available === null ? null : Number(row.available),
      warehouseName: row.warehouseName,
      deleted: row.deleted,
      version: Number(row.version),
      arrivalSeq: Number(row.arrivalSeq),
    };
  };

  describe('UpsertProductsCommand', () => {
    it('writes a whole batch in one statement and returns the ids it wrote', async () => {
      const ids = [freshId(), freshId(), freshId()];
      const written = await upsert.execute(new UpsertProductsCommand(tx, ids.map((id, i) => product(id, 1, 10 + i))));
      expect(statements).toBe(1);
      expect(written).toHaveLength(3);
      const rows: (StoredProduct | undefined)[] = [];
      for (const id of ids) rows.push(await stored(id));
      expect(rows.map((r) => r!.id).sort()).toEqual([...written].sort());
      expect(rows[0]).toEqual({ id: expect.any(Number), name: `${ids[0]} v1 a10`, price: 1.25, active: true, deleted: false, version: 1, arrivalSeq: 10 });
    });

    it('ignores an older version that arrives later', async () => {
      const id = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(id, 5, 100)]));
      expect(await upsert.execute(new UpsertProductsCommand(tx, [product(id, 4, 200)]))).toEqual([]);
      expect(await stored(id)).toMatchObject({ name: `${id} v5 a100`, version: 5, arrivalSeq: 100 });
    });

    it('at equal version, the later arrival wins and the earlier one changes nothing', async () => {
      const id = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(id, 5, 100)]));
      const [row] = await upsert.execute(new UpsertProductsCommand(tx, [product(id, 5, 101)]));
      expect(row).toBe((await stored(id))!.id);
      expect(await stored(id)).toMatchObject({ name: `${id} v5 a101`, arrivalSeq: 101 });
      expect(await upsert.execute(new UpsertProductsCommand(tx, [product(id, 5, 99)]))).toEqual([]);
      expect(await stored(id)).toMatchObject({ name: `${id} v5 a101` });
    });

    it('replaying the same change is a no-op', async () => {
      const id = freshId();
      const change = product(id, 3, 30);
      await upsert.execute(new UpsertProductsCommand(tx, [change]));
      const before = await stored(id);
      expect(await upsert.execute(new UpsertProductsCommand(tx, [change, change]))).toEqual([]);
      expect(await stored(id)).toEqual(before);
    });

    it('keeps only the newest of several changes of one key in a batch', async () => {
      const id = freshId();
      const other = freshId();
      const written = await upsert.execute(
        new UpsertProductsCommand(tx, [product(id, 2, 50), product(id, 7, 40), product(other, 1, 1), product(id, 7, 45), product(id, 6, 60)]),
      );
      expect(statements).toBe(1);
      expect(written).toHaveLength(2);
      expect(await stored(id)).toMatchObject({ name: `${id} v7 a45`, version: 7, arrivalSeq: 45 });
    });

    it('marks a product inactive at the source as inactive, not deleted', async () => {
      const id = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(id, 1, 1, { status: 'inactive', active: false, price: null })]));
      expect(await stored(id)).toMatchObject({ active: false, deleted: false, price: null });
    });

    it('takes exact decimal text and rounds it to four places', async () => {
      const id = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(id, 1, 1, { price: '12.345678' })]));
      const [row] = await queryRows<{ price: string }>(tx, `SELECT price::text AS price FROM inventory_products WHERE source_id = $1`, [id]);
      expect(row.price).toBe('12.3457');
    });
  });

  describe('DeactivateProductsCommand', () => {
    it('deactivates in one statement and keeps the row and its data', async () => {
      const id = freshId();
      const [productId] = await upsert.execute(new UpsertProductsCommand(tx, [product(id, 3, 30)]));
      statements = 0;
      expect(await deactivate.execute(new DeactivateProductsCommand(tx, [key(id, 4, 40)]))).toEqual([productId]);
      expect(statements).toBe(1);
      expect(await stored(id)).toEqual({ id: productId, name: `${id} v3 a30`, price: 3.25, active: false, deleted: true, version: 4, arrivalSeq: 40 });
    });

    it('beats an update of the same version, whichever arrives first', async () => {
      const first = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(first, 5, 100)]));
      expect(await deactivate.execute(new DeactivateProductsCommand(tx, [key(first, 5, 90)]))).toHaveLength(1);
      expect(await stored(first)).toMatchObject({ active: false, deleted: true });

      const second = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(second, 5, 90)]));
      await deactivate.execute(new DeactivateProductsCommand(tx, [key(second, 5, 80)]));
      // the update arrives again later, at the same version: the delete still wins
      expect(await upsert.execute(new UpsertProductsCommand(tx, [product(second, 5, 120)]))).toEqual([]);
      expect(await stored(second)).toMatchObject({ active: false, deleted: true, version: 5 });
    });

    it('ignores an older delete', async () => {
      const id = freshId();
      await upsert.execute(new UpsertProductsCommand(tx, [product(id, 5, 100)]));
      expect(await deactivate.execute(new DeactivateProductsCommand(tx, [key(id, 4, 200)]))).toEqual([]);
      expect(await stored(id)).toMatchObject({ active: true, deleted: false, version: 5 });
    });

    it('leaves a tombstone for an unknown product, so a late older update cannot bring it back', async () => {
      const id = freshId();
      const [tombstone] = await deactivate.execute(new DeactivateProductsCommand(tx, [key(id, 5, 100)]));
      expect(await stored(id)).toEqual({ id: tombstone, name: '', price: null, active: false, deleted: true, version: 5, arrivalSeq: 100 });
      expect(await upsert.execute(new UpsertProductsCommand(tx, [product(id, 4, 150)]))).toEqual([]);
      expect(await stored(id)).toMatchObject({ active: false, deleted: true, version: 5 });
    });

    it('gives way to a newer update: the product exists again', async () => {
      const id = freshId();
      await deactivate.execute(new DeactivateProductsCommand(tx, [key(id, 5, 100)]));
      expect(await upsert.execute(new UpsertProductsCommand(tx, [product(id, 6, 110)]))).toHaveLength(1);
      expect(await stored(id)).toMatchObject({ name: `${id} v6 a110`, active: true, deleted: false, version: 6 });
    });

    it('keeps the newest delete of a key in a batch', async () => {
      const id = freshId();
      await deactivate.execute(new DeactivateProductsCommand(tx, [key(id, 2, 20), key(id, 3, 10), key(id, 3, 15)]));
      expect(statements).toBe(1);
      expect(await stored(id)).toMatchObject({ version: 3, arrivalSeq: 15 });
    });
  });

  describe('SetStockLevelsCommand', () => {
    it('writes levels in one statement and returns the known products they belong to', async () => {
      const known = freshId();
      const unknown = freshId();
      const [productId] = await upsert.execute(new UpsertProductsCommand(tx, [product(known, 1, 1)]));
      statements = 0;
      const touched = await setLevels.execute(
        new SetStockLevelsCommand(tx, [level(known, 'w1', 3, 30), level(known, 'w2', 3, 31), level(unknown, 'w1', 3, 32)]),
      );
      expect(statements).toBe(1);
      expect(touched).toEqual([productId]);
      expect(await storedLevel(known, 'w2')).toEqual({ onHand: 3, available: 2, warehouseName: 'Ww2', deleted: false, version: 3, arrivalSeq: 31 });
      expect(await storedLevel(unknown, 'w1')).toMatchObject({ onHand: 3 });
    });

    it('applies the same precedence: older ignored, equal version later arrival wins, newest of a batch', async () => {
      const id = freshId();
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 50)]));
      expect(await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 4, 60, { onHand: '999' })]))).toEqual([]);
      expect(await storedLevel(id, 'w')).toMatchObject({ onHand: 5, arrivalSeq: 50 });
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 55, { onHand: '7' })]));
      expect(await storedLevel(id, 'w')).toMatchObject({ onHand: 7, arrivalSeq: 55 });
      await setLevels.execute(
        new SetStockLevelsCommand(tx, [level(id, 'w', 9, 70, { onHand: '9' }), level(id, 'w', 8, 90, { onHand: '8' }), level(id, 'w', 9, 65, { onHand: '1' })]),
      );
      expect(await storedLevel(id, 'w')).toMatchObject({ onHand: 9, version: 9, arrivalSeq: 70 });
    });

    it('marks a deleted level deleted with its last figures; a delete beats an update of its version', async () => {
      const id = freshId();
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 50, { onHand: '12.5' })]));
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 40, { deleted: true, onHand: null, available: null })]));
      expect(await storedLevel(id, 'w')).toMatchObject({ onHand: 12.5, available: 4, deleted: true, version: 5 });
      expect(await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 60)]))).toEqual([]);
      expect(await storedLevel(id, 'w')).toMatchObject({ deleted: true });
    });

    it('leaves a tombstone for a deleted level it never saw', async () => {
      const id = freshId();
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 5, 50, { deleted: true, onHand: null, available: null })]));
      expect(await storedLevel(id, 'w')).toMatchObject({ onHand: 0, available: null, deleted: true });
      await setLevels.execute(new SetStockLevelsCommand(tx, [level(id, 'w', 4, 80)]));
      expect(await storedLevel(id, 'w')).toMatchObject({ deleted: true, version: 5 });
    });
  });
});
