import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lookups by inbox event (webhook ingestion, issue 3): a delivery's queue items
 * (GET /api/tds/inbox/:id) and the inbox retention's checks that no open item and no
 * unresolved dead letter still needs a delivery. Both partial: bulk items carry no inbox
 * event and resolved dead letters no longer count, so neither costs those rows anything.
 * Not CONCURRENTLY: migrations run in one transaction (and on PGlite), and these tables are
 * still small when it runs.
 */
export class InboxLookups1764400000000 implements MigrationInterface {
  name = 'InboxLookups1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tds_sync_queue_inbox_event_idx ON tds_sync_queue (inbox_event_id) WHERE inbox_event_id IS NOT NULL`);
    await q.query(`CREATE INDEX tds_dead_letters_open_inbox_event_idx ON tds_dead_letters (inbox_event_id) WHERE resolved_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tds_dead_letters_open_inbox_event_idx`);
    await q.query(`DROP INDEX IF EXISTS tds_sync_queue_inbox_event_idx`);
  }
}
