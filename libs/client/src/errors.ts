import type { components } from './schema';

export type Problem = components['schemas']['Problem'];
export type FieldError = NonNullable<Problem['errors']>[number];

/**
 * An error answer of the broker. Every broker error is application/problem+json (RFC 9457) with a
 * stable `code` to branch on and the `request_id` to quote to the operator; `errors` lists the
 * fields a validation failure names. An answer that is not problem+json (a proxy's HTML page) still
 * becomes one of these, with `code` `unexpected_response` and the answer's status.
 */
export class SsoBrokerError extends Error {
  override readonly name = 'SsoBrokerError';
  readonly status: number;
  readonly code: string;
  // The broker's own field name, so that code reading `error.request_id` reads like the answer.
  readonly request_id: string | undefined;
  readonly errors: FieldError[];
  /** The problem document as received, or undefined when the answer was not problem+json. */
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined, requestId?: string) {
    super(
      problem ? `${problem.code}: ${problem.detail}` : `unexpected_response: HTTP ${status} without a problem document`,
    );
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? 'unexpected_response';
    this.request_id = problem?.request_id ?? requestId;
    this.errors = problem?.errors ?? [];
  }

  /** Reads an error answer's body (once) into an SsoBrokerError. */
  static async fromResponse(response: Response): Promise<SsoBrokerError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const type = response.headers.get('content-type') ?? '';
    if (!/^application\/(problem\+)?json\b/i.test(type))
      return new SsoBrokerError(response.status, undefined, requestId);
    try {
      const body: unknown = await response.json();
      return new SsoBrokerError(response.status, isProblem(body) ? body : undefined, requestId);
    } catch {
      return new SsoBrokerError(response.status, undefined, requestId);
    }
  }
}

function isProblem(body: unknown): body is Problem {
  const candidate = body as Partial<Problem> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.code === 'string';
}
