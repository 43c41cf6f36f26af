import { rows, type Db } from './queue-fixtures.js';

// The check is the convergence tool's, so the specs and an operator's run compare the same way.
export { downstreamDifferences, type Difference } from '../../tools/check-convergence/convergence-checks.js';

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
