/** An apply-time failure that may pass: the item is retried with backoff. */
export class TransientApplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An apply-time failure that will not pass by waiting: the item is dead-lettered at once. */
export class PermanentApplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * SQLSTATE classes worth waiting out: connection (08), transaction rollback such as
 * serialization failures and deadlocks (40), insufficient resources (53), operator
 * intervention such as a shutdown (57), lock not available (55P03). Data, integrity and
 * syntax errors (22, 23, 42) will fail the same way again.
 */
const TRANSIENT_SQLSTATE = /^(08|40|53|57|55P03)/;
const PERMANENT_SQLSTATE = /^(22|23|42)/;

export interface ClassifiedError {
  code: string;
  message: string;
  retryable: boolean;
}

export function classifyApplyError(error: unknown): ClassifiedError {
  if (error instanceof TransientApplyError) return { code: error.code, message: error.message, retryable: true };
  if (error instanceof PermanentApplyError) return { code: error.code, message: error.message, retryable: false };
  const sqlState = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (sqlState && PERMANENT_SQLSTATE.test(sqlState)) return { code: `DB_${sqlState}`, message, retryable: false };
  if (sqlState && TRANSIENT_SQLSTATE.test(sqlState)) return { code: `DB_${sqlState}`, message, retryable: true };
  // Unknown failures are retried: dead-lettering on a hiccup would page an operator for nothing,
  // and max attempts still bounds them.
  return { code: sqlState ? `DB_${sqlState}` : 'APPLY_ERROR', message, retryable: true };
}

/** TypeORM wraps driver errors (QueryFailedError.driverError); both carry the SQLSTATE as `code`. */
export function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
