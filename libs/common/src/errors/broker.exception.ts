/**
 * Base of every domain error. Services throw these (never HttpException); the global
 * problem+json filter turns them into RFC 9457 answers. `code` is the stable, documented
 * machine-readable identifier portals branch on; `detail` is a human sentence that must never
 * carry a secret, SQL text or another tenant's data. Each lib narrows `Code` to its own enum
 * (`class LinksException extends BrokerException<LinksExceptionCode> {}`), so a misspelt code
 * does not compile.
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

export class BrokerException<Code extends string = string> extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: Code,
    readonly detail: string,
    options: BrokerExceptionOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

/** `instanceof` narrows a generic class to `BrokerException<any>`; this keeps the code a string. */
export function isBrokerException(error: unknown): error is BrokerException {
  return error instanceof BrokerException;
}
