import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error.js';

/** The one error body the API answers with, whatever failed. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

export interface ErrorResponse {
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the cause is ours, not the client's: it must be logged, and its message was withheld. */
  internal: boolean;
}

const INTERNAL_ERROR: ErrorBody = {
  statusCode: 500,
  error: 'INTERNAL_ERROR',
  message: 'An unexpected error occurred',
};

/** `404` → `NOT_FOUND`, `413` → `PAYLOAD_TOO_LARGE`: Nest's HttpStatus names are the machine codes. */
export function codeForStatus(status: number): string {
  if (status === 500) return INTERNAL_ERROR.error;
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status];
  return name ?? `HTTP_${status}`;
}

export function errorBody(status: number, code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { statusCode: status, error: code, message }
    : { statusCode: status, error: code, message, details };
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  if (status >= 500 && status !== 503) return { body: INTERNAL_ERROR, headers: {}, internal: true };
  const response = exception.getResponse();
  if (typeof response === 'string') {
    return { body: errorBody(status, codeForStatus(status), response), headers: {}, internal: false };
  }
  const payload = response as Record<string, unknown>;
  const message = typeof payload.message === 'string' ? payload.message : statusText(status);
  // A list of messages (Nest's default validation shape) or a body of another shape entirely
  // (terminus' health report) is kept as details rather than lost.
  const details = Array.isArray(payload.message) ? payload.message : 'message' in payload ? undefined : payload;
  return { body: errorBody(status, codeForStatus(status), message, details), headers: {}, internal: false };
}

function clientStatusOf(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const status = (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * SQLSTATEs of a database that is slow, busy or going away rather than of a bad request or a bug:
 * a statement cancelled by DATABASE_STATEMENT_TIMEOUT_MS (57014), a lock or serialization conflict
 * (55P03, 40001, 40P01), too many connections (53300), a server shutting down (57P01-57P03),
 * a connection lost (class 08). The same request may well succeed a moment later.
 */
const TRANSIENT_SQLSTATE = /^(57014|55P03|40001|40P01|53300|57P0[123]|08...)$/;
/** The database unreachable: refused, reset or timed out on the network (Node's codes, not SQLSTATEs). */
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/;
/**
 * pg's words for a connection that failed without a code: no pooled connection within
 * DATABASE_CONNECT_TIMEOUT_MS, or the server went away mid-request.
 */
const CODELESS_LOSS = /^(timeout exceeded when trying to connect|Connection terminated( unexpectedly| due to connection timeout)?)$/;

const DATABASE_BUSY: ErrorBody = {
  statusCode: 503,
  error: 'DATABASE.UNAVAILABLE',
  message: 'The database did not complete the request in time; nothing was changed, retry later',
};

/** Whether the database failed the request for a passing reason (see TRANSIENT_SQLSTATE). */
function isTransientDatabaseError(exception: unknown): boolean {
  if (typeof exception !== 'object' || exception === null) return false;
  const { code, message, driverError } = exception as { code?: unknown; message?: unknown; driverError?: { code?: unknown } };
  const sqlState = driverError?.code ?? code;
  if (typeof sqlState === 'string') return TRANSIENT_SQLSTATE.test(sqlState) || UNREACHABLE.test(sqlState);
  return typeof message === 'string' && CODELESS_LOSS.test(message);
}

export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    return {
      body: errorBody(exception.status, exception.code, exception.message, exception.details),
      headers: exception.headers ?? {},
      // A 503 is a refusal its raiser has already accounted for (an inbox that is full logs once,
      // throttled): logging each as unexpected would flood the log exactly when the database is sick.
      internal: exception.status >= 500 && exception.status !== 503,
    };
  }
  // Still logged: the cause is ours (its SQL and SQLSTATE, never its values, see serializeError).
  if (isTransientDatabaseError(exception)) return { body: DATABASE_BUSY, headers: { 'Retry-After': '5' }, internal: true };
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Library errors that already know the client is at fault (http-errors style `statusCode`).
  const clientStatus = clientStatusOf(exception);
  if (clientStatus !== undefined) {
    return { body: errorBody(clientStatus, codeForStatus(clientStatus), statusText(clientStatus)), headers: {}, internal: false };
  }
  return { body: INTERNAL_ERROR, headers: {}, internal: true };
}
