import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inventory read model (ARCHITECTURE §3, downstream): products and per-warehouse stock
 * levels, written by the inventory module's reaction to TDS entity changes. Each row carries
 * the (version, deleted, arrival_seq) of the change that wrote it, so the reaction applies the
 * mirror's precedence itself and a replayed or reordered event cannot move a row backwards.
 */
export class Inventory1764510000000 implements MigrationInterface {
  name = 'Inventory1764510000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE TABLE inventory_products (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source text NOT NULL,
        source_id text NOT NULL,
        sku text,
        name text NOT NULL,
        price numeric(18,4),
        unit text,
        status text,
        active boolean NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        version bigint NOT NULL,
        arrival_seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inventory_products_source_id_uq UNIQUE (source, source_id)
      )`,
      `CREATE INDEX inventory_products_sku_idx ON inventory_products (sku)`,
      // ?active= pages walk this in id order without touching the other half of the table.
      `CREATE INDEX inventory_products_active_idx ON inventory_products (active, id)`,
      // Name words, prefix-matched. ASCII punctuation becomes a space first: the parser would
      // otherwise read "Laptop-white/15inch/dell" as a path and never find "dell". The query
      // side splits the search text the same way (list-products.sql.ts).
      `CREATE INDEX inventory_products_name_search_idx ON inventory_products
        USING gin (to_tsvector('simple', regexp_replace(name, '[[:punct:]]+', ' ', 'g')))`,

      // The key is the source's: a level may arrive before its product does.
      `CREATE TABLE inventory_stock_levels (
        source text NOT NULL,
        product_source_id text NOT NULL,
        warehouse_id text NOT NULL,
        warehouse_name text,
        on_hand numeric(18,4) NOT NULL,
        available numeric(18,4),
        deleted boolean NOT NULL DEFAULT false,
        version bigint NOT NULL,
        arrival_seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, product_source_id, warehouse_id)
      )`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inventory_stock_levels, inventory_products`);
  }
}
