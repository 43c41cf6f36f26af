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

export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    return {
      body: errorBody(exception.status, exception.code, exception.message, exception.details),
      headers: exception.headers ?? {},
      internal: exception.status >= 500,
    };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Library errors that already know the client is at fault (http-errors style `statusCode`).
  const clientStatus = clientStatusOf(exception);
  if (clientStatus !== undefined) {
    return { body: errorBody(clientStatus, codeForStatus(clientStatus), statusText(clientStatus)), headers: {}, internal: false };
  }
  return { body: INTERNAL_ERROR, headers: {}, internal: true };
}
