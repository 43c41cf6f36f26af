import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replay safety for records versioned by their receipt time (issue 12): such a delivery carries
 * a replay key (what it says, without the version), and a delivery repeating a key received
 * within the replay window is a duplicate. Partial: only those deliveries carry one, so the
 * index costs every other delivery nothing. Adding a nullable column rewrites no rows.
 */
export class ReplayGuard1764700000000 implements MigrationInterface {
  name = 'ReplayGuard1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tds_inbox_events ADD COLUMN replay_key text`);
    await q.query(`CREATE INDEX tds_inbox_events_replay_idx ON tds_inbox_events (replay_key, received_at) WHERE replay_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tds_inbox_events_replay_idx`);
    await q.query(`ALTER TABLE tds_inbox_events DROP COLUMN IF EXISTS replay_key`);
  }
}
