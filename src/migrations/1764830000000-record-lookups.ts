import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operator's read side (issue 13) reads through: one record's timeline, a run's
 * failures and the items under a lease.
 * - By record (entity_type, source_entity_id) on the queue, the inbox and the dead letters: the
 *   timeline is a handful of probes instead of a scan of each table. On tds_sync_queue this is
 *   the one index that costs the hot path: every enqueue adds an entry, and so does every
 *   status change (status is in the partial indexes' predicates, so those updates are never
 *   HOT and touch every full index). Measured beside the queue's other indexes, 200,000 rows
 *   in one statement: the bare insert +20–35%, the bare update to completed +30–45%, about
 *   4 µs per row each, on statements that do nothing else (the apply statement does far more
 *   per item, ~25 µs). So it is kept to one index of two short text columns; the mirror needs
 *   none (its primary key leads with the source, which the timeline enumerates). With it, one
 *   record's timeline among 1,000,000 queue rows runs in ~1 ms (~6 ms with planning and the
 *   round trip).
 * - A run's failures: only items that failed enter it (retry, dead_letter), so successful work
 *   pays for no entry.
 * - Items under a lease (status processing, work that leaves the database): none today, so it
 *   costs nothing, and the dashboard's count never scans the finished rows.
 * Not CONCURRENTLY: migrations run in one transaction (and on PGlite).
 */
export class RecordLookups1764830000000 implements MigrationInterface {
  name = 'RecordLookups1764830000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE INDEX tds_sync_queue_entity_idx ON tds_sync_queue (entity_type, source_entity_id)`,
      `CREATE INDEX tds_inbox_events_entity_idx ON tds_inbox_events (entity_type, source_entity_id) WHERE source_entity_id IS NOT NULL`,
      `CREATE INDEX tds_dead_letters_entity_idx ON tds_dead_letters (entity_type, source_entity_id)`,
      `CREATE INDEX tds_sync_queue_run_failed_idx ON tds_sync_queue (sync_run_id) WHERE status IN ('retry', 'dead_letter')`,
      `CREATE INDEX tds_sync_queue_processing_idx ON tds_sync_queue (locked_until) WHERE status = 'processing'`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX IF EXISTS tds_sync_queue_processing_idx`,
      `DROP INDEX IF EXISTS tds_sync_queue_run_failed_idx`,
      `DROP INDEX IF EXISTS tds_dead_letters_entity_idx`,
      `DROP INDEX IF EXISTS tds_inbox_events_entity_idx`,
      `DROP INDEX IF EXISTS tds_sync_queue_entity_idx`,
    ]) {
      await q.query(sql);
    }
  }
}
