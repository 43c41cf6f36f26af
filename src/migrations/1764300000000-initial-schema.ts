import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync core's tables (ARCHITECTURE §3). One statement per query() call so the same
 * migration runs on `pg` and on the embedded PGlite (extended protocol, single statement).
 * Hot tables carry no foreign keys: every enqueue and apply would pay for the checks, and
 * retention (issue 5) deletes in its own order.
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE tds_sync_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('pull', 'bulk', 'replay')),
        source text NOT NULL,
        entity_type text,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled')),
        total integer NOT NULL DEFAULT 0,
        processed integer NOT NULL DEFAULT 0,
        succeeded integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        error_summary jsonb,
        cursor_from text,
        cursor_to text
      )`,
      `CREATE INDEX tds_sync_runs_created_idx ON tds_sync_runs (created_at DESC, id DESC)`,

      `CREATE TABLE tds_inbox_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source text NOT NULL,
        entity_type text,
        source_entity_id text,
        operation text,
        version bigint,
        idempotency_key text NOT NULL,
        content_hash text,
        raw_payload jsonb,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        signature_verified boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL CHECK (status IN ('queued', 'invalid')),
        validation_errors jsonb,
        CONSTRAINT tds_inbox_events_idempotency_key_uq UNIQUE (idempotency_key)
      )`,
      `CREATE INDEX tds_inbox_events_received_idx ON tds_inbox_events (received_at)`,

      // Arrival sequence = id: a sequence hands out ids in enqueue order, which is what
      // "the later-enqueued item wins at equal version" needs.
      `CREATE TABLE tds_sync_queue (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source text NOT NULL,
        inbox_event_id bigint,
        sync_run_id bigint,
        entity_type text NOT NULL,
        source_entity_id text NOT NULL,
        operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
        version bigint NOT NULL,
        payload jsonb NOT NULL,
        content_hash text GENERATED ALWAYS AS (md5(payload::text)) STORED,
        priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'processing', 'completed', 'retry', 'dead_letter',
                            'superseded', 'unchanged', 'cancelled')),
        attempt integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        crash_count integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        locked_by text,
        locked_until timestamptz,
        lease_token uuid
      )`,
      // The claim walks this index in claim order and stops after one batch: its cost does not
      // grow with finished rows, which leave the index's predicate.
      `CREATE INDEX tds_sync_queue_claim_idx ON tds_sync_queue (priority DESC, next_attempt_at)
        WHERE status IN ('pending', 'retry') AND crash_count = 0`,
      // Items whose batches died are claimed one at a time from here (poison isolation).
      `CREATE INDEX tds_sync_queue_isolated_idx ON tds_sync_queue (next_attempt_at)
        WHERE status IN ('pending', 'retry') AND crash_count > 0`,
      `CREATE INDEX tds_sync_queue_run_open_idx ON tds_sync_queue (sync_run_id)
        WHERE status IN ('pending', 'retry')`,

      // One row per in-flight batch, written and committed outside the batch's transaction.
      // The batch deletes its row when it commits; a row left behind is a batch that died.
      `CREATE TABLE tds_batch_claims (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        worker_id text NOT NULL,
        item_ids bigint[] NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      )`,

      `CREATE TABLE tds_queue_attempts (
        queue_item_id bigint NOT NULL,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        failed_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('retry', 'dead_letter')),
        error_code text NOT NULL,
        error text NOT NULL,
        delay_ms integer,
        ceiling_ms integer,
        next_attempt_at timestamptz,
        PRIMARY KEY (queue_item_id, attempt)
      )`,

      `CREATE TABLE tds_entities (
        source text NOT NULL,
        entity_type text NOT NULL,
        source_entity_id text NOT NULL,
        version bigint NOT NULL,
        arrival_seq bigint NOT NULL,
        content_hash text NOT NULL,
        data jsonb NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, entity_type, source_entity_id)
      )`,

      `CREATE TABLE tds_dead_letters (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        queue_item_id bigint NOT NULL,
        source text NOT NULL,
        entity_type text NOT NULL,
        source_entity_id text NOT NULL,
        operation text NOT NULL,
        version bigint NOT NULL,
        inbox_event_id bigint,
        sync_run_id bigint,
        failure_reason text NOT NULL,
        error_code text NOT NULL,
        attempts integer NOT NULL,
        last_payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by text,
        resolution_note text,
        replayed_at timestamptz,
        replayed_by text,
        replay_queue_item_id bigint
      )`,
      `CREATE INDEX tds_dead_letters_open_idx ON tds_dead_letters (created_at, id) WHERE resolved_at IS NULL`,
      `CREATE INDEX tds_dead_letters_queue_item_idx ON tds_dead_letters (queue_item_id)`,

      `CREATE TABLE tds_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL DEFAULT gen_random_uuid(),
        event_type text NOT NULL,
        correlation_id text,
        causation_id text,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz
      )`,
      // The relay reads what is not dispatched yet, never "after the last id seen": ids commit
      // out of order, and a late commit must still be found.
      `CREATE INDEX tds_outbox_pending_idx ON tds_outbox (id) WHERE dispatched_at IS NULL`,

      `CREATE TABLE tds_idempotency_keys (
        api_key_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (api_key_id, key)
      )`,

      `CREATE TABLE tds_api_keys (
        id text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('viewer', 'service', 'operator', 'admin')),
        key_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'tds_api_keys', 'tds_idempotency_keys', 'tds_outbox', 'tds_dead_letters', 'tds_entities',
      'tds_queue_attempts', 'tds_batch_claims', 'tds_sync_queue', 'tds_inbox_events', 'tds_sync_runs',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
