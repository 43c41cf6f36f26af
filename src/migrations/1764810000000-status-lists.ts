import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the run list and the per-entity-type status (issue 13) read through. The run list walks
 * newest first; filtered by a status or an entity type, each of these indexes holds just that
 * filter's runs in that order, so a rare one among 10k+ runs is not found by walking them all.
 * The mirror gets no index here: one on (entity_type) WHERE NOT deleted made the count cheap but
 * cost the apply path ~7% (100,000 updates: 33k → 30–31k items/s), as most mirror updates are not
 * HOT and update every index. The last success per type is one probe of
 * the metric buckets that had one, where the bucket index would walk back through all of them.
 */
export class StatusLists1764810000000 implements MigrationInterface {
  name = 'StatusLists1764810000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE INDEX tds_sync_runs_status_idx ON tds_sync_runs (status, created_at DESC, id DESC)`,
      `CREATE INDEX tds_sync_runs_entity_type_idx ON tds_sync_runs (entity_type, created_at DESC, id DESC)`,
      `CREATE INDEX tds_metrics_success_idx ON tds_metrics (entity_type, bucket) WHERE applied + unchanged > 0`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX IF EXISTS tds_metrics_success_idx`,
      `DROP INDEX IF EXISTS tds_sync_runs_entity_type_idx`,
      `DROP INDEX IF EXISTS tds_sync_runs_status_idx`,
    ]) {
      await q.query(sql);
    }
  }
}
