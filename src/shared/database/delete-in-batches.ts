import { queryRows } from './sql.js';
import type { SqlExecutor } from './sql.js';

export interface BatchedDeletion {
  deleted: number;
  /** Delete statements run, each its own short transaction. */
  batches: number;
}

/**
 * Retention's loop: runs `sql` ($1 cutoff, $2 batch size, then `params`; deletes at most a
 * batch and returns the deleted rows) in autocommit, each batch its own transaction committed before the next,
 * until a batch comes back short: what is left is then kept on purpose, or held by another
 * deleter for now. The cutoff is fixed at the start, so the loop ends even while rows keep
 * ageing past it; it is on the application's clock, like the timestamps it is compared with.
 */
export async function deleteInBatches(
  db: SqlExecutor,
  sql: string,
  olderThanSeconds: number,
  batchSize: number,
  params: readonly unknown[] = [],
): Promise<BatchedDeletion> {
  // A batch of 0 would never come back short.
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  if (!(olderThanSeconds >= 0)) throw new RangeError('olderThanSeconds must not be negative');
  const cutoff = new Date(Date.now() - olderThanSeconds * 1000);
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const rows = await queryRows(db, sql, [cutoff, batchSize, ...params]);
    batches += 1;
    deleted += rows.length;
    if (rows.length < batchSize) return { deleted, batches };
  }
}
