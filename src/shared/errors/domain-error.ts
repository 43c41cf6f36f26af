/** One problem with one input field; `path` as produced by flattenValidationErrors, e.g. `items[3].payload.sku`. */
export interface FieldError {
  path: string;
  message: string;
}

export interface DomainErrorOptions {
  details?: unknown;
  /** Extra response headers, e.g. the `WWW-Authenticate` challenge a 401 must carry. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error the client is meant to see: the global filter answers it with `status` and
 * `{ statusCode, error: code, message, details }`, so `message` and `details` must hold
 * nothing internal.
 */
export class DomainError extends Error {
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 404, message, { details });
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 409, message, { details });
  }
}

export class ValidationFailedError extends DomainError {
  declare readonly details: FieldError[];

  constructor(details: FieldError[], message = 'Request validation failed', code = 'VALIDATION_FAILED') {
    super(code, 422, message, { details });
  }
}

export class UnauthorizedError extends DomainError {
  constructor(code: string, message: string, challenge = 'Bearer') {
    super(code, 401, message, { headers: { 'WWW-Authenticate': challenge } });
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 403, message, { details });
  }
}
