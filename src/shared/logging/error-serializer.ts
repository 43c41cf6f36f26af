/**
 * The fields of an error that say what failed and where, without the data it failed on:
 * PostgreSQL's SQLSTATE `code`, the statement's text (`query`: ours, with `$n` placeholders),
 * the names of the objects involved and, for network errors, the endpoint.
 * An allowlist, so a field a driver adds later stays out until someone decides it is safe. Left
 * out on purpose:
 * - `parameters` (TypeORM) and `params` (PGlite): the bound values; one failing bulk enqueue
 *   carries up to 10 MiB of customer records;
 * - `detail`: PostgreSQL quotes values there (`Key (sku)=(…) already exists`, `Failing row
 *   contains (…)`);
 * - `where` and `internalQuery`: context lines and internally built statements, which quote
 *   data too (`JSON data, line 1: …`, a statement run by EXECUTE);
 * - `driverError`: the driver's own error, whose fields TypeORM has copied onto its error
 *   already, and which PGlite fills with `params`.
 */
const KEPT_FIELDS = [
  'code',
  'query',
  'severity',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'hint',
  'position',
  'routine',
  'statusCode',
  'errno',
  'syscall',
  'address',
  'port',
] as const;

/** Causes deeper than this are cut: enough for a wrapped driver error, and no loop on a cycle. */
const MAX_DEPTH = 4;

interface ErrorLike {
  message: string;
  name?: unknown;
  stack?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

function typeOf(error: ErrorLike): string {
  const name = (error as object).constructor?.name;
  return name && name !== 'Object' ? name : String(error.name ?? 'Error');
}

function serialize(error: ErrorLike, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: typeOf(error), message: error.message };
  if (typeof error.stack === 'string') out.stack = error.stack;
  for (const field of KEPT_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (depth < MAX_DEPTH) {
    if (isErrorLike(error.cause)) out.cause = serialize(error.cause, depth + 1);
    // AggregateError: a connection refused on every address of a host name.
    if (Array.isArray(error.errors)) out.errors = error.errors.filter(isErrorLike).map((inner) => serialize(inner, depth + 1));
  }
  return out;
}

/**
 * pino's serializer for the `err` field, which every error logged goes through: Fastify's and
 * the filter's request lines, and Nest's logger (PinoLoggerService). Anything not error-like is
 * left as it is, as pino's own serializer does.
 */
export function serializeError(value: unknown): unknown {
  return isErrorLike(value) ? serialize(value, 0) : value;
}
