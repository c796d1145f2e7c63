/**
 * Base of every domain error. Services throw these (never HttpException); the global
 * problem+json filter turns them into RFC 9457 answers. `code` is the stable, documented
 * machine-readable identifier portals branch on; `detail` is a human sentence that must never
 * carry a secret, SQL text or another tenant's data.
 */
export interface FieldError {
  field: string;
  message: string;
}

export interface BrokerExceptionOptions {
  errors?: FieldError[];
  /** Extra response headers, e.g. Retry-After for upstream throttling. */
  headers?: Record<string, string>;
  /** Internal cause, logged but never sent to the client. */
  cause?: unknown;
}

export class BrokerException extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    options: BrokerExceptionOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}
