import { ConflictError, NotFoundError } from '../../../../shared/errors/domain-error.js';
import type { DomainError } from '../../../../shared/errors/domain-error.js';
import { queryRows } from '../../../../shared/database/sql.js';
import type { SqlExecutor } from '../../../../shared/database/sql.js';

/** The precise reason an operator action found the dead letter closed (or absent). */
export async function deadLetterNotOpen(db: SqlExecutor, id: number): Promise<DomainError> {
  const [row] = await queryRows<{ resolvedAt: Date | null; replayedAt: Date | null }>(
    db,
    `SELECT resolved_at AS "resolvedAt", replayed_at AS "replayedAt" FROM tds_dead_letters WHERE id = $1`,
    [id],
  );
  if (!row) return new NotFoundError('DEAD_LETTER.NOT_FOUND', `Dead letter ${id} does not exist`);
  if (row.resolvedAt) return new ConflictError('DEAD_LETTER.ALREADY_RESOLVED', `Dead letter ${id} is already resolved`);
  return new ConflictError('DEAD_LETTER.ALREADY_REPLAYED', `Dead letter ${id} was already replayed`);
}
