import { rows, type Db } from './queue-fixtures.js';

export interface Difference {
  target: 'inventory' | 'search';
  entityType: string;
  sourceEntityId: string;
  problem: string;
}

/**
 * Compares the mirror with what the reactions built from it: every applied product in
 * inventory at the mirror's version with its newest data (deleted ones inactive), every applied
 * product, customer, invoice and sales order in search at the mirror's version (deleted ones
 * removed from results), and nothing downstream that the mirror does not have. [] when in step.
 */
export async function downstreamDifferences(db: Db): Promise<Difference[]> {
  return rows<Difference>(
    db,
    `SELECT 'inventory' AS target, 'product' AS "entityType", e.source_entity_id AS "sourceEntityId",
            CASE WHEN p.source_id IS NULL THEN 'missing' ELSE 'differs' END AS problem
     FROM tds_entities e
     LEFT JOIN inventory_products p ON p.source = e.source AND p.source_id = e.source_entity_id
     WHERE e.entity_type = 'product' AND e.arrival_seq > 0
       AND (p.source_id IS NULL OR p.version <> e.version OR p.deleted <> e.deleted
            OR (e.deleted AND p.active)
            OR (NOT e.deleted AND (p.name IS DISTINCT FROM e.data ->> 'name' OR p.sku IS DISTINCT FROM e.data ->> 'sku'
                OR p.price IS DISTINCT FROM (e.data ->> 'rate')::numeric OR p.active <> (e.data ->> 'status' = 'active'))))
     UNION ALL
     SELECT 'inventory', 'product', p.source_id, 'not in the mirror'
     FROM inventory_products p
     WHERE NOT EXISTS (SELECT 1 FROM tds_entities e
                       WHERE e.entity_type = 'product' AND e.source = p.source AND e.source_entity_id = p.source_id AND e.arrival_seq > 0)
     UNION ALL
     SELECT 'search', e.entity_type, e.source_entity_id, CASE WHEN d.source_id IS NULL THEN 'missing' ELSE 'differs' END
     FROM tds_entities e
     LEFT JOIN search_documents d ON d.type = e.entity_type AND d.source = e.source AND d.source_id = e.source_entity_id
     WHERE e.entity_type IN ('product', 'customer', 'invoice', 'sales_order') AND e.arrival_seq > 0
       AND (d.source_id IS NULL OR d.version <> e.version OR d.deleted <> e.deleted)
     UNION ALL
     SELECT 'search', d.type, d.source_id, 'not in the mirror'
     FROM search_documents d
     WHERE NOT EXISTS (SELECT 1 FROM tds_entities e
                       WHERE e.entity_type = d.type AND e.source = d.source AND e.source_entity_id = d.source_id AND e.arrival_seq > 0)
     ORDER BY 1, 2, 3`,
  );
}

/** Everything the reactions wrote, without write times: equal snapshots mean equal downstream state. */
export async function downstreamSnapshot(db: Db): Promise<unknown[]> {
  return [
    ...(await rows(db, `SELECT source, source_id, sku, name, price::text, unit, status, active, deleted, version, arrival_seq FROM inventory_products ORDER BY source, source_id`)),
    ...(await rows(db, `SELECT source, product_source_id, warehouse_id, warehouse_name, on_hand::text, available::text, deleted, version, arrival_seq FROM inventory_stock_levels ORDER BY 1, 2, 3`)),
    ...(await rows(db, `SELECT type, source, source_id, title, body, tsv::text, deleted, version, arrival_seq FROM search_documents ORDER BY 1, 2, 3`)),
  ];
}

/**
 * Logs every write the reactions make to inventory and search (row key, version, deleted,
 * arrival sequence), so a test can prove no change took effect twice.
 */
export async function installDownstreamWriteLog(db: Db): Promise<void> {
  await db.query(`CREATE TABLE test_downstream_writes (target text, key text, version bigint, deleted boolean, arrival_seq bigint)`);
  await db.query(`CREATE FUNCTION test_log_downstream_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_downstream_writes VALUES (TG_TABLE_NAME, TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1]), NEW.version, NEW.deleted, NEW.arrival_seq);
      RETURN NEW;
    END $$`);
  await db.query(`CREATE TRIGGER test_inventory_write_log AFTER INSERT OR UPDATE ON inventory_products
    FOR EACH ROW EXECUTE FUNCTION test_log_downstream_write('product', 'source_id')`);
  await db.query(`CREATE TRIGGER test_search_write_log AFTER INSERT OR UPDATE ON search_documents
    FOR EACH ROW EXECUTE FUNCTION test_log_downstream_write('document', 'source_id')`);
}

export async function duplicateDownstreamWrites(db: Db): Promise<unknown[]> {
  return rows(
    db,
    `SELECT target, key, version, deleted, arrival_seq, count(*)::int AS writes FROM test_downstream_writes
     GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1 LIMIT 20`,
  );
}
