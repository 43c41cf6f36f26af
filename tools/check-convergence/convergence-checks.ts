/*
 * Convergence checks over a TDS database: is the mirror what the queue says was applied, was
 * anything applied twice, are inventory and search in step with the mirror, and (given the
 * source's truth) is anything lost. Read-only SQL, safe against a live deployment; the chaos
 * test and the `check:convergence` CLI share it.
 */

/** Anything that runs SQL: a pg Pool/Client ({ rows }) or a TypeORM DataSource (rows). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export async function rows<T = Record<string, unknown>>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = (await db.query(sql, params)) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** What the source holds for one record: its newest version and, optionally, its data. */
export interface TruthRecord {
  source: string;
  entityType: string;
  sourceEntityId: string;
  version: number;
  data?: unknown;
}

/** A kind of problem: how many, and the first few found. */
export interface Finding {
  count: number;
  sample: Record<string, unknown>[];
}

export interface Difference {
  target: 'inventory' | 'search';
  entityType: string;
  sourceEntityId: string;
  problem: string;
}

export interface ConvergenceReport {
  converged: boolean;
  checkedAt: string;
  totals: { entities: number; queueItems: number; queueByStatus: Record<string, number>; outboxEvents: number; truthRecords?: number };
  /** Work not finished: any of it makes the state not converged (yet). */
  open: { pending: number; retry: number; processing: number; deadLetter: number; outboxUndispatched: number };
  /** The mirror is not at the highest-precedence applied item of its entity, or holds other data than that item. */
  staleOverwrites: Finding;
  /** A change applied more than once, or an entity event for an item that was not applied. */
  appliedTwice: Finding;
  /** An applied item without its entity event (only items newer than the oldest outbox row: older events may be purged). */
  missingEvents: Finding;
  /** Inventory or search not in step with the mirror. */
  downstream: Finding;
  /** With truth: a record missing from the mirror or at a lower version; or an item marked superseded above the mirror's version. */
  lost: Finding;
  /** With truth: the mirror is at the truth's version with other data. */
  dataMismatches: Finding;
  /** With truth: the mirror is at a version the source never reported as newest. */
  aheadOfTruth: Finding;
}

const SAMPLE = 20;
const ENTITY_EVENT = `event_type IN ('tds.entity.create', 'tds.entity.update', 'tds.entity.delete')`;

/** Runs every check; `truth` adds the lost / data / ahead checks. */
export async function checkConvergence(db: Queryable, truth?: readonly TruthRecord[]): Promise<ConvergenceReport> {
  const newestTruth = truth ? newestPerRecord(truth) : undefined;
  const [totals, open, staleOverwrites, appliedTwice, missingEvents, downstream, supersededAbove] = [
    await readTotals(db),
    await readOpen(db),
    await findStaleOverwrites(db),
    await findAppliedTwice(db),
    await findMissingEvents(db),
    toFinding(await downstreamDifferences(db)),
    await findSupersededAboveMirror(db),
  ];
  const againstTruth = newestTruth ? await compareWithTruth(db, newestTruth) : { lost: empty(), dataMismatches: empty(), aheadOfTruth: empty() };
  const lost = merge(againstTruth.lost, supersededAbove);
  const report: ConvergenceReport = {
    converged: false,
    checkedAt: new Date().toISOString(),
    totals: newestTruth ? { ...totals, truthRecords: newestTruth.length } : totals,
    open,
    staleOverwrites,
    appliedTwice,
    missingEvents,
    downstream,
    lost,
    dataMismatches: againstTruth.dataMismatches,
    aheadOfTruth: againstTruth.aheadOfTruth,
  };
  report.converged =
    Object.values(open).every((n) => n === 0) &&
    [staleOverwrites, appliedTwice, missingEvents, downstream, lost, report.dataMismatches, report.aheadOfTruth].every((f) => f.count === 0);
  return report;
}

/** A truth list may hold every delivery sent: the newest version per record is the truth. */
function newestPerRecord(truth: readonly TruthRecord[]): TruthRecord[] {
  const newest = new Map<string, TruthRecord>();
  for (const record of truth) {
    const key = JSON.stringify([record.source, record.entityType, record.sourceEntityId]);
    const seen = newest.get(key);
    if (!seen || seen.version < record.version) newest.set(key, record);
  }
  return [...newest.values()];
}

async function readTotals(db: Queryable): Promise<ConvergenceReport['totals']> {
  const byStatus = await rows<{ status: string; n: number }>(db, `SELECT status, count(*)::int AS n FROM tds_sync_queue GROUP BY status ORDER BY status`);
  const [{ entities, outboxEvents }] = await rows<{ entities: number; outboxEvents: number }>(
    db,
    // arrival_seq 0 is an apply's placeholder, never committed; excluded all the same.
    `SELECT (SELECT count(*)::int FROM tds_entities WHERE arrival_seq > 0) AS entities,
            (SELECT count(*)::int FROM tds_outbox WHERE ${ENTITY_EVENT}) AS "outboxEvents"`,
  );
  const queueByStatus = Object.fromEntries(byStatus.map((s) => [s.status, s.n]));
  return { entities, queueItems: byStatus.reduce((sum, s) => sum + s.n, 0), queueByStatus, outboxEvents };
}

async function readOpen(db: Queryable): Promise<ConvergenceReport['open']> {
  const [open] = await rows<ConvergenceReport['open']>(
    db,
    `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status = 'retry')::int AS retry,
            count(*) FILTER (WHERE status = 'processing')::int AS processing,
            count(*) FILTER (WHERE status = 'dead_letter')::int AS "deadLetter",
            (SELECT count(*)::int FROM tds_outbox WHERE dispatched_at IS NULL) AS "outboxUndispatched"
     FROM tds_sync_queue WHERE status IN ('pending', 'retry', 'processing', 'dead_letter')`,
  );
  return open;
}

/**
 * The apply's precedence is (version, delete beats update, arrival sequence = queue id), and an
 * applied (completed) or unchanged item moves the mirror to its precedence. So at rest the
 * mirror's (version, deleted, arrival_seq) is the highest of its entity's completed and unchanged
 * items; lower means an older item overwrote a newer one's result, higher that the mirror was
 * written by an item not recorded as applied. A live row's content is that of the item that
 * wrote it. Entities whose items retention purged have nothing to compare with and are skipped.
 */
async function findStaleOverwrites(db: Queryable): Promise<Finding> {
  return finding(
    db,
    `WITH applied AS (
       SELECT DISTINCT ON (source, entity_type, source_entity_id)
              source, entity_type, source_entity_id, version, operation = 'delete' AS is_delete, id
       FROM tds_sync_queue
       WHERE status IN ('completed', 'unchanged')
       ORDER BY source, entity_type, source_entity_id, version DESC, (operation = 'delete') DESC, id DESC
     )
     SELECT e.source, e.entity_type AS "entityType", e.source_entity_id AS "sourceEntityId",
            e.version::float8 AS "mirrorVersion", e.arrival_seq::float8 AS "mirrorItem", a.version::float8 AS "appliedVersion", a.id::float8 AS "appliedItem",
            CASE WHEN (e.version, e.deleted, e.arrival_seq) < (a.version, a.is_delete, a.id) THEN 'mirror behind its newest applied item'
                 WHEN (e.version, e.deleted, e.arrival_seq) > (a.version, a.is_delete, a.id) THEN 'mirror written by an item not recorded as applied'
                 ELSE 'mirror data is not its item''s' END AS problem
     FROM tds_entities e
     JOIN applied a USING (source, entity_type, source_entity_id)
     LEFT JOIN tds_sync_queue w ON w.id = e.arrival_seq
     WHERE e.arrival_seq > 0
       AND ((e.version, e.deleted, e.arrival_seq) <> (a.version, a.is_delete, a.id)
            OR (NOT e.deleted AND w.id IS NOT NULL AND w.content_hash <> e.content_hash))`,
  );
}

/**
 * A superseded item is one that lost to a higher precedence: at rest the mirror's. One above the
 * mirror was dropped without being applied: lost.
 */
async function findSupersededAboveMirror(db: Queryable): Promise<Finding> {
  return finding(
    db,
    `SELECT q.id::float8 AS "queueItem", q.source, q.entity_type AS "entityType", q.source_entity_id AS "sourceEntityId",
            q.version::float8 AS version, e.version::float8 AS "mirrorVersion", 'superseded above the mirror' AS problem
     FROM tds_sync_queue q
     LEFT JOIN tds_entities e USING (source, entity_type, source_entity_id)
     WHERE q.status = 'superseded'
       AND (e.source IS NULL OR (q.version, q.operation = 'delete', q.id) > (e.version, e.deleted, e.arrival_seq))`,
  );
}

/**
 * A change taking effect twice shows as two entity events for one queue item, or as two
 * completed items carrying the same change (entity, version, operation, content): a redelivery
 * of an applied change must end unchanged or superseded, never completed. Two items at one
 * version with different content are both applied by design (the later-enqueued one wins), and
 * do not count. An entity event whose item is not completed is a change published unapplied.
 */
async function findAppliedTwice(db: Queryable): Promise<Finding> {
  return finding(
    db,
    `SELECT 'events for one item' AS problem, o.causation_id AS "causationId", NULL AS "entityType", NULL AS "sourceEntityId",
            NULL::float8 AS version, count(*)::int AS times
     FROM tds_outbox o WHERE o.${ENTITY_EVENT}
     GROUP BY o.causation_id HAVING count(*) > 1
     UNION ALL
     SELECT 'one change completed by several items', string_agg(q.id::text, ',' ORDER BY q.id), q.entity_type, q.source_entity_id,
            q.version::float8, count(*)::int
     FROM tds_sync_queue q WHERE q.status = 'completed'
     GROUP BY q.source, q.entity_type, q.source_entity_id, q.version, q.operation, q.content_hash HAVING count(*) > 1
     UNION ALL
     SELECT 'event for an item not applied (' || q.status || ')', o.causation_id, q.entity_type, q.source_entity_id, q.version::float8, 1
     FROM tds_outbox o
     JOIN tds_sync_queue q ON o.causation_id = 'queue-item:' || q.id
     WHERE o.${ENTITY_EVENT} AND q.status <> 'completed'`,
  );
}

async function findMissingEvents(db: Queryable): Promise<Finding> {
  return finding(
    db,
    `SELECT q.id::float8 AS "queueItem", q.entity_type AS "entityType", q.source_entity_id AS "sourceEntityId", q.version::float8 AS version
     FROM tds_sync_queue q
     WHERE q.status = 'completed'
       AND q.completed_at >= (SELECT min(created_at) FROM tds_outbox)
       AND NOT EXISTS (SELECT 1 FROM tds_outbox o WHERE o.causation_id = 'queue-item:' || q.id)`,
  );
}

/**
 * Compares the mirror with what the reactions built from it: every applied product in
 * inventory at the mirror's version with its newest data (deleted ones inactive), every applied
 * product, customer, invoice and sales order in search at the mirror's version (deleted ones
 * removed from results), and nothing downstream that the mirror does not have. [] when in step.
 */
export async function downstreamDifferences(db: Queryable): Promise<Difference[]> {
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

/**
 * The truth travels as one JSON parameter (10,000 records are ~1 MB): no temporary table, so
 * the check stays read-only. jsonb equality ignores key order, as the source's JSON does.
 */
async function compareWithTruth(db: Queryable, truth: readonly TruthRecord[]) {
  const found = await rows<Record<string, unknown> & { problem: string }>(
    db,
    `WITH truth AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t (source text, "entityType" text, "sourceEntityId" text, version bigint, data jsonb)
     )
     SELECT t.source, t."entityType", t."sourceEntityId", t.version::float8 AS "truthVersion", e.version::float8 AS "mirrorVersion",
            CASE WHEN e.source IS NULL OR e.arrival_seq = 0 THEN 'missing'
                 WHEN e.version < t.version THEN 'behind'
                 WHEN e.version > t.version THEN 'ahead'
                 ELSE 'data differs' END AS problem
     FROM truth t
     LEFT JOIN tds_entities e ON (e.source, e.entity_type, e.source_entity_id) = (t.source, t."entityType", t."sourceEntityId")
     WHERE e.source IS NULL OR e.arrival_seq = 0 OR e.version <> t.version OR (t.data IS NOT NULL AND e.data <> t.data)
     ORDER BY t.source, t."entityType", t."sourceEntityId"`,
    [JSON.stringify(truth.map((t) => ({ ...t, version: Number(t.version) })))],
  );
  const pick = (...problems: string[]) => toFinding(found.filter((f) => problems.includes(f.problem)));
  return { lost: pick('missing', 'behind'), dataMismatches: pick('data differs'), aheadOfTruth: pick('ahead') };
}

/** Versions and ids are read as float8 (exact up to 2^53, as versions are bounded): numbers from every driver, in the JSON too. */
async function finding(db: Queryable, sql: string): Promise<Finding> {
  const [{ count }] = await rows<{ count: number }>(db, `SELECT count(*)::int AS count FROM (${sql}) f`);
  const sample = count === 0 ? [] : await rows<Record<string, unknown>>(db, `SELECT * FROM (${sql}) f LIMIT ${SAMPLE}`);
  return { count, sample };
}

function toFinding(list: readonly object[]): Finding {
  return { count: list.length, sample: list.slice(0, SAMPLE) as Record<string, unknown>[] };
}

function merge(a: Finding, b: Finding): Finding {
  return { count: a.count + b.count, sample: [...a.sample, ...b.sample].slice(0, SAMPLE) };
}

function empty(): Finding {
  return { count: 0, sample: [] };
}

/** The report for a person: totals, open work, then each check with its first findings. */
export function formatReport(report: ConvergenceReport): string {
  const lines = [
    `TDS convergence check at ${report.checkedAt}: ${report.converged ? 'CONVERGED' : 'NOT CONVERGED'}`,
    `  entities in the mirror ${report.totals.entities}; queue items ${report.totals.queueItems} ` +
      `(${Object.entries(report.totals.queueByStatus).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}); entity events ${report.totals.outboxEvents}` +
      (report.totals.truthRecords === undefined ? '; no truth given' : `; truth records ${report.totals.truthRecords}`),
    `  open: ${Object.entries(report.open).map(([k, n]) => `${k} ${n}`).join(', ')}`,
  ];
  const checks: [string, Finding][] = [
    ['stale overwrites', report.staleOverwrites],
    ['applied twice', report.appliedTwice],
    ['missing entity events', report.missingEvents],
    ['downstream (inventory, search) differences', report.downstream],
    ['lost', report.lost],
    ['data mismatches with truth', report.dataMismatches],
    ['mirror ahead of truth', report.aheadOfTruth],
  ];
  for (const [name, f] of checks) {
    lines.push(`  ${f.count === 0 ? 'ok  ' : 'FAIL'} ${name}: ${f.count}`);
    for (const s of f.sample.slice(0, 5)) lines.push(`         ${JSON.stringify(s)}`);
  }
  return lines.join('\n');
}
