import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pulling from Zoho (issue 14), what every instance must share about a source account:
 * - tds_source_accounts: the current access token (one refresh serves every instance), the
 *   refresh lease (one refresh at a time per account without a transaction held over HTTP:
 *   PGlite has one connection), whether the credentials work and the circuit breaker's last
 *   state change, which the alert rules read;
 * - tds_rate_buckets: a token bucket per Zoho organisation with its UTC day's request count,
 *   taken in one statement by whichever instance calls next.
 * Both hold a handful of rows (one per configured account or organisation): no index beyond the keys.
 */
export class ZohoSources1764840000000 implements MigrationInterface {
  name = 'ZohoSources1764840000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE TABLE tds_source_accounts (
        source text NOT NULL,
        account text NOT NULL,
        access_token text,
        token_expires_at timestamptz,
        refresh_holder text,
        refresh_until timestamptz,
        auth_state text NOT NULL DEFAULT 'ok',
        auth_error text,
        breaker_state text NOT NULL DEFAULT 'closed',
        breaker_changed_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, account),
        CONSTRAINT tds_source_accounts_auth_state_check CHECK (auth_state IN ('ok', 'failed')),
        CONSTRAINT tds_source_accounts_breaker_state_check CHECK (breaker_state IN ('closed', 'open', 'half_open'))
      )`,
      `CREATE TABLE tds_rate_buckets (
        key text PRIMARY KEY,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL,
        day date NOT NULL,
        day_requests integer NOT NULL DEFAULT 0,
        day_budget integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tds_rate_buckets`);
    await q.query(`DROP TABLE IF EXISTS tds_source_accounts`);
  }
}
