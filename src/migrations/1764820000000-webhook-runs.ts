import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook work as runs (issue 13): one rolling `webhook` run per source and hour, which the
 * ingestion statement creates on first use and finds again by (source, window_start) through
 * the unique partial index (also what makes two instances creating it at once end with one).
 * The hour is the run's identity, so window_start is set exactly for webhook runs. The closing
 * job reads the open webhook runs (one per source and hour still open: a handful) and the
 * unsuccessful-run alert the runs that ended partial or failed recently; both through partial
 * indexes holding just those, instead of walking every run.
 */
export class WebhookRuns1764820000000 implements MigrationInterface {
  name = 'WebhookRuns1764820000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `ALTER TABLE tds_sync_runs DROP CONSTRAINT tds_sync_runs_kind_check`,
      `ALTER TABLE tds_sync_runs ADD CONSTRAINT tds_sync_runs_kind_check CHECK (kind IN ('pull', 'bulk', 'replay', 'webhook'))`,
      `ALTER TABLE tds_sync_runs ADD COLUMN window_start timestamptz`,
      `ALTER TABLE tds_sync_runs ADD CONSTRAINT tds_sync_runs_window_check CHECK ((kind = 'webhook') = (window_start IS NOT NULL))`,
      `CREATE UNIQUE INDEX tds_sync_runs_webhook_window_uq ON tds_sync_runs (source, window_start) WHERE kind = 'webhook'`,
      `CREATE INDEX tds_sync_runs_webhook_open_idx ON tds_sync_runs (window_start) WHERE kind = 'webhook' AND status = 'running'`,
      `CREATE INDEX tds_sync_runs_unsuccessful_idx ON tds_sync_runs (completed_at) WHERE status IN ('partial', 'failed')`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX IF EXISTS tds_sync_runs_unsuccessful_idx`,
      `DROP INDEX IF EXISTS tds_sync_runs_webhook_open_idx`,
      `DROP INDEX IF EXISTS tds_sync_runs_webhook_window_uq`,
      // The old kind check cannot hold them; their queue items keep a run id that no longer resolves.
      `DELETE FROM tds_sync_runs WHERE kind = 'webhook'`,
      `ALTER TABLE tds_sync_runs DROP CONSTRAINT tds_sync_runs_window_check`,
      `ALTER TABLE tds_sync_runs DROP COLUMN window_start`,
      `ALTER TABLE tds_sync_runs DROP CONSTRAINT tds_sync_runs_kind_check`,
      `ALTER TABLE tds_sync_runs ADD CONSTRAINT tds_sync_runs_kind_check CHECK (kind IN ('pull', 'bulk', 'replay'))`,
    ]) {
      await q.query(sql);
    }
  }
}
