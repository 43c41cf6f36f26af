import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pull runs (issue 14). A pull run is held by one instance through a lease on its row
 * (locked_by, locked_until) with a fencing token (lease_token, raised on every take-over): every
 * page write and run update names the token it holds, so a holder that lost its lease writes
 * nothing. `fetched_at` marks the end of fetching: until then the run stays running whatever its
 * counters say, since its total grows page by page. `progress` is where the fetch stands (paging
 * position, pages, records, estimate), what a resumed run continues from.
 *
 * The open pull runs are found through a partial index holding just them; the unique one keeps a
 * single fetching run per source, account and entity type (a second start is refused, a
 * scheduled one skipped). `tds_sync_cursors` keeps, per source, account and entity type, the
 * newest record time committed: where the next incremental run starts.
 */
export class PullRuns1764850000000 implements MigrationInterface {
  name = 'PullRuns1764850000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `ALTER TABLE tds_sync_runs
         ADD COLUMN account text,
         ADD COLUMN mode text,
         ADD COLUMN locked_by text,
         ADD COLUMN locked_until timestamptz,
         ADD COLUMN lease_token bigint NOT NULL DEFAULT 0,
         ADD COLUMN fetched_at timestamptz,
         ADD COLUMN progress jsonb`,
      `ALTER TABLE tds_sync_runs ADD CONSTRAINT tds_sync_runs_mode_check
         CHECK (mode IS NULL OR (kind = 'pull' AND mode IN ('full', 'incremental')))`,
      `CREATE INDEX tds_sync_runs_pull_open_idx ON tds_sync_runs (created_at)
         WHERE kind = 'pull' AND fetched_at IS NULL AND status IN ('pending', 'running')`,
      `CREATE UNIQUE INDEX tds_sync_runs_pull_fetching_uq ON tds_sync_runs (source, account, entity_type)
         WHERE kind = 'pull' AND fetched_at IS NULL AND status IN ('pending', 'running')`,
      `CREATE TABLE tds_sync_cursors (
         source text NOT NULL,
         account text NOT NULL,
         entity_type text NOT NULL,
         last_modified_time timestamptz,
         sync_run_id bigint,
         updated_at timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT tds_sync_cursors_pkey PRIMARY KEY (source, account, entity_type)
       )`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP TABLE IF EXISTS tds_sync_cursors`,
      `DROP INDEX IF EXISTS tds_sync_runs_pull_fetching_uq`,
      `DROP INDEX IF EXISTS tds_sync_runs_pull_open_idx`,
      `ALTER TABLE tds_sync_runs DROP CONSTRAINT tds_sync_runs_mode_check`,
      `ALTER TABLE tds_sync_runs DROP COLUMN progress, DROP COLUMN fetched_at, DROP COLUMN lease_token,
         DROP COLUMN locked_until, DROP COLUMN locked_by, DROP COLUMN mode, DROP COLUMN account`,
    ]) {
      await q.query(sql);
    }
  }
}
