import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operating TDS (issue 5): per-minute metric buckets, scheduled job ticks, alerts, and what the
 * retry job and retention need (transient dead letters, finished-item and outbox age indexes).
 */
export class Operations1764600000000 implements MigrationInterface {
  name = 'Operations1764600000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      // Delta rows: every batch adds its own row per (minute, source, entity type) instead of
      // updating one hot row; reads sum them and the roll-up job folds past minutes into one.
      `CREATE TABLE tds_metrics (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bucket timestamptz NOT NULL,
        source text NOT NULL,
        entity_type text NOT NULL,
        received integer NOT NULL DEFAULT 0,
        applied integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        superseded integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        retried integer NOT NULL DEFAULT 0,
        dead_lettered integer NOT NULL DEFAULT 0,
        latency_sum_ms bigint NOT NULL DEFAULT 0,
        latency_max_ms bigint NOT NULL DEFAULT 0,
        rolled_up boolean NOT NULL DEFAULT false
      )`,
      `CREATE INDEX tds_metrics_bucket_idx ON tds_metrics (bucket, source, entity_type)`,
      // The roll-up finds the groups with a delta to fold here: a minute or two of rows, where
      // the bucket index would hand it every rolled-up row of its lookback each run.
      `CREATE INDEX tds_metrics_unrolled_idx ON tds_metrics (bucket, source, entity_type) WHERE NOT rolled_up`,

      // A job claims (job, tick) before running: the primary key makes it once per cluster.
      `CREATE TABLE tds_job_runs (
        job text NOT NULL,
        tick bigint NOT NULL,
        instance text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        duration_ms integer,
        outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
        detail jsonb,
        PRIMARY KEY (job, tick)
      )`,
      `CREATE INDEX tds_job_runs_started_idx ON tds_job_runs (started_at)`,

      `CREATE TABLE tds_alerts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        rule text NOT NULL,
        fingerprint text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
        title text NOT NULL,
        message text NOT NULL,
        entity_type text,
        actual jsonb,
        threshold jsonb,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'acknowledged', 'resolved')),
        triggered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_notified_at timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at timestamptz
      )`,
      // One open alert per fingerprint: while its condition lasts, evaluation updates it.
      `CREATE UNIQUE INDEX tds_alerts_open_uq ON tds_alerts (fingerprint) WHERE status <> 'resolved'`,
      `CREATE INDEX tds_alerts_triggered_idx ON tds_alerts (triggered_at DESC, id DESC)`,

      // Whether the error that dead-lettered the item could pass by waiting (retries ran out):
      // the retry job re-queues only those, and counts its automatic replays.
      `ALTER TABLE tds_dead_letters ADD COLUMN transient boolean NOT NULL DEFAULT false`,
      `ALTER TABLE tds_dead_letters ADD COLUMN auto_replays integer NOT NULL DEFAULT 0`,
      `CREATE INDEX tds_dead_letters_replay_item_idx ON tds_dead_letters (replay_queue_item_id)
        WHERE replay_queue_item_id IS NOT NULL`,
      `CREATE INDEX tds_dead_letters_resolved_idx ON tds_dead_letters (resolved_at) WHERE resolved_at IS NOT NULL`,
      // A replay closes its dead letter (the replay item carries on): retention ages those by
      // replayed_at. A resolved one is aged by resolved_at above, hence not here.
      `CREATE INDEX tds_dead_letters_replayed_idx ON tds_dead_letters (replayed_at)
        WHERE replayed_at IS NOT NULL AND resolved_at IS NULL`,
      // The dead letters waiting for someone: the open-dead-letters gauge and the growth alert.
      // tds_dead_letters_open_idx also holds the replayed ones, which retention keeps for weeks.
      `CREATE INDEX tds_dead_letters_waiting_idx ON tds_dead_letters (created_at, id)
        WHERE resolved_at IS NULL AND replayed_at IS NULL`,
      // What the retry job may replay: without transient, each tick would walk past every
      // permanent dead letter an operator has not got to yet.
      `CREATE INDEX tds_dead_letters_retry_due_idx ON tds_dead_letters (created_at, id)
        WHERE resolved_at IS NULL AND replayed_at IS NULL AND transient`,

      // Retention walks finished items oldest first; open items never enter this index.
      `CREATE INDEX tds_sync_queue_finished_idx ON tds_sync_queue (completed_at)
        WHERE status IN ('completed', 'unchanged', 'superseded', 'cancelled')`,
      `CREATE INDEX tds_outbox_dispatched_idx ON tds_outbox (dispatched_at) WHERE dispatched_at IS NOT NULL`,
      `CREATE INDEX tds_reaction_receipts_created_idx ON tds_reaction_receipts (created_at)`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      `DROP INDEX tds_reaction_receipts_created_idx`,
      `DROP INDEX tds_outbox_dispatched_idx`,
      `DROP INDEX tds_sync_queue_finished_idx`,
      `DROP INDEX tds_dead_letters_retry_due_idx`,
      `DROP INDEX tds_dead_letters_waiting_idx`,
      `DROP INDEX tds_dead_letters_replayed_idx`,
      `DROP INDEX tds_dead_letters_resolved_idx`,
      `DROP INDEX tds_dead_letters_replay_item_idx`,
      `ALTER TABLE tds_dead_letters DROP COLUMN auto_replays`,
      `ALTER TABLE tds_dead_letters DROP COLUMN transient`,
      `DROP INDEX tds_metrics_unrolled_idx`,
      `DROP TABLE tds_alerts, tds_job_runs, tds_metrics`,
    ]) {
      await q.query(sql);
    }
  }
}
