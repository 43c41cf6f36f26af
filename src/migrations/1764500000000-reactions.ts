import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Durable reactions (ARCHITECTURE §4): receipts, failures waiting for their retry, and the redelivery sweep's progress. */
export class Reactions1764500000000 implements MigrationInterface {
  name = 'Reactions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      // Written in the same transaction as the reaction's effect: its presence means "done".
      `CREATE TABLE tds_reaction_receipts (
        reaction text NOT NULL,
        event_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (reaction, event_id)
      )`,
      `CREATE TABLE tds_reaction_failures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reaction text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        attempts integer NOT NULL,
        last_error text NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        exhausted_at timestamptz,
        resolved_at timestamptz
      )`,
      // One open failure per reaction and event; resolved ones stay as history.
      `CREATE UNIQUE INDEX tds_reaction_failures_open_uq ON tds_reaction_failures (reaction, event_id) WHERE resolved_at IS NULL`,
      `CREATE INDEX tds_reaction_failures_due_idx ON tds_reaction_failures (next_attempt_at) WHERE resolved_at IS NULL AND exhausted_at IS NULL`,
      // Per reaction: every outbox row up to this id has a receipt or a failure (the sweep starts after it).
      `CREATE TABLE tds_reaction_cursors (
        reaction text PRIMARY KEY,
        checked_up_to bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      // Failures name events by id; the sweep reads them back from the outbox by it.
      `CREATE UNIQUE INDEX tds_outbox_event_id_uq ON tds_outbox (event_id)`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tds_outbox_event_id_uq`);
    await q.query(`DROP TABLE tds_reaction_cursors, tds_reaction_failures, tds_reaction_receipts`);
  }
}
