import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter list (issue 13): newest first on (created_at, id), filtered by entity type,
 * error code and open / closed, a keyset page at a time. Each filter gets an index that is in
 * the list's order, so a page reads its rows straight from the cursor on, however many dead
 * letters retention keeps (100k+) and however rare the value asked for. The open ones already
 * have tds_dead_letters_waiting_idx; dead letters are written rarely, so four more indexes cost
 * little.
 */
export class DeadLetterList1764800000000 implements MigrationInterface {
  name = 'DeadLetterList1764800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      // No filter: every dead letter in the list's order.
      `CREATE INDEX tds_dead_letters_created_idx ON tds_dead_letters (created_at, id)`,
      // resolved=true: the closed ones (resolved, or replayed); the expression must stay the list's word for word.
      `CREATE INDEX tds_dead_letters_closed_idx ON tds_dead_letters (created_at, id)
        WHERE resolved_at IS NOT NULL OR replayed_at IS NOT NULL`,
      `CREATE INDEX tds_dead_letters_entity_type_idx ON tds_dead_letters (entity_type, created_at, id)`,
      `CREATE INDEX tds_dead_letters_error_code_idx ON tds_dead_letters (error_code, created_at, id)`,
    ]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['tds_dead_letters_error_code_idx', 'tds_dead_letters_entity_type_idx', 'tds_dead_letters_closed_idx', 'tds_dead_letters_created_idx']) {
      await q.query(`DROP INDEX IF EXISTS ${name}`);
    }
  }
}
