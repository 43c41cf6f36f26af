import { randomInt } from 'node:crypto';
import { rows } from '../../tools/check-convergence/convergence-checks.js';
import type { Queryable as Db } from '../../tools/check-convergence/convergence-checks.js';

// The convergence checker's own SQL helper: a TypeORM DataSource (rows) or a pg Pool/Client ({ rows }).
export { rows };
export type { Db };

export interface TestItem {
  entityType: string;
  sourceEntityId: string;
  operation: 'create' | 'update' | 'delete';
  version: number;
  payload: Record<string, unknown>;
  priority?: number;
}

/** A Zoho-shaped product payload whose content is determined by (id, version). */
export function productPayload(id: string, version: number): Record<string, unknown> {
  return {
    item_id: id,
    name: `Product ${id} rev ${version}`,
    sku: `SKU-${id}`,
    rate: version * 1.5,
    unit: 'pcs',
    status: 'active',
    stock_on_hand: version % 17,
    custom_note: `kept as an extra field (${version})`,
  };
}

/**
 * The convergence scenario: `entities` products with `versions` versions each, every entity's
 * versions in shuffled order, ~`duplicateRate` of deliveries sent twice, all interleaved at
 * random. Returns the deliveries and, per entity, the newest version.
 */
export function shuffledDeliveries(entities: number, versions: number, duplicateRate = 0.2) {
  const deliveries: TestItem[] = [];
  const newest = new Map<string, number>();
  for (let e = 0; e < entities; e++) {
    const id = `p${e}`;
    newest.set(id, versions);
    for (let v = 1; v <= versions; v++) {
      const item: TestItem = { entityType: 'product', sourceEntityId: id, operation: 'update', version: v, payload: productPayload(id, v) };
      deliveries.push(item);
      if (Math.random() < duplicateRate) deliveries.push({ ...item });
    }
  }
  shuffle(deliveries);
  return { deliveries, newest };
}

export function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** Cuts a list into consecutive chunks of random size in [1, max]. */
export function randomChunks<T>(list: T[], max: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; ) {
    const n = randomInt(1, max + 1);
    chunks.push(list.slice(i, i + n));
    i += n;
  }
  return chunks;
}

/**
 * Enqueues straight into tds_sync_queue (one multi-row insert per call), for tests whose subject
 * is the worker side and that must not depend on the HTTP layer. Ids come back in input order.
 */
export async function insertQueueItems(db: Db, items: TestItem[], maxAttempts = 5): Promise<number[]> {
  const inserted = await rows<{ id: number }>(
    db,
    `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, priority, max_attempts)
     SELECT 'zoho', t, s, o, v, p, pr, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::jsonb[], $6::int[]) WITH ORDINALITY AS x(t, s, o, v, p, pr, n)
     ORDER BY n
     RETURNING id`,
    [
      items.map((i) => i.entityType),
      items.map((i) => i.sourceEntityId),
      items.map((i) => i.operation),
      items.map((i) => i.version),
      items.map((i) => JSON.stringify(i.payload)),
      items.map((i) => i.priority ?? 5),
      maxAttempts,
    ],
  );
  await db.query(`SELECT pg_notify('tds_queue', '')`);
  return inserted.map((r) => Number(r.id));
}

/** Waits until no queue item is pending or due for retry (the workers drained the queue). */
export async function waitUntilDrained(db: Db, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ open }] = await rows<{ open: number }>(
      db,
      `SELECT count(*)::int AS open FROM tds_sync_queue WHERE status IN ('pending', 'retry', 'processing')`,
    );
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`queue not drained after ${timeoutMs} ms: ${open} items open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Logs every write of a new (entity, version, content, deleted) to the mirror, so a test can
 * prove none was written twice. Bumping only the arrival sequence (an equal-version duplicate
 * seen later) is bookkeeping, not a write of content, and is not logged.
 */
export async function installMirrorWriteLog(db: Db): Promise<void> {
  await db.query(`CREATE TABLE test_mirror_writes (
    source text, entity_type text, source_entity_id text, version bigint, content_hash text, deleted boolean)`);
  await db.query(`CREATE FUNCTION test_log_mirror_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR (OLD.version, OLD.content_hash, OLD.deleted) IS DISTINCT FROM (NEW.version, NEW.content_hash, NEW.deleted) THEN
        INSERT INTO test_mirror_writes VALUES (NEW.source, NEW.entity_type, NEW.source_entity_id, NEW.version, NEW.content_hash, NEW.deleted);
      END IF;
      RETURN NEW;
    END $$`);
  await db.query(`CREATE TRIGGER test_mirror_write_log AFTER INSERT OR UPDATE ON tds_entities
    FOR EACH ROW EXECUTE FUNCTION test_log_mirror_write()`);
}

export async function duplicateMirrorWrites(db: Db): Promise<unknown[]> {
  return rows(
    db,
    `SELECT source_entity_id, version, content_hash, count(*)::int AS writes FROM test_mirror_writes
     GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 20`,
  );
}

/**
 * Logs every committed update of a queue item with the connection's application_name (which
 * names the instance), to prove no item was processed twice and by whom.
 */
export async function installQueueTransitionLog(db: Db): Promise<void> {
  await db.query(`CREATE TABLE test_queue_transitions (queue_item_id bigint, from_status text, to_status text, app text)`);
  await db.query(`CREATE FUNCTION test_log_queue_transition() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_queue_transitions VALUES (NEW.id, OLD.status, NEW.status, current_setting('application_name'));
      RETURN NEW;
    END $$`);
  await db.query(`CREATE TRIGGER test_queue_transition_log AFTER UPDATE ON tds_sync_queue
    FOR EACH ROW EXECUTE FUNCTION test_log_queue_transition()`);
}
