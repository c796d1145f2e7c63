import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { isBrokerException, BrokerRequest } from '@app/common';
import { RateLimitedException } from '@app/rate-limit';
import { isDatabaseUnavailable } from './database-unavailable';
import { Problem, problem, PROBLEM_CONTENT_TYPE } from './problem';

/**
 * The single place errors become HTTP answers, for errors raised in handlers and guards and
 * before routing alike (Nest installs it as Fastify's error and not-found handler). Domain
 * errors carry their own status and code; framework errors (Fastify's 413, 415, 404…, mapped to
 * HttpException by Nest) get stable codes; anything else is a 500 whose details stay in the log
 * (never a stack trace, SQL text or secret in the answer). It logs through Nest's Logger, which
 * configureApp points at the broker's pino logger.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<BrokerRequest>();
    const res = http.getResponse<FastifyReply>();
    const requestId = String(req.id ?? '');
    const { body, headers } = this.toProblem(exception, requestId);
    if (body.status >= 500) {
      this.logger.error(
        { err: loggable(exception), request_id: requestId, code: body.code },
        `request failed: ${body.code}`,
      );
    }
    if (res.sent || res.raw.headersSent) return;
    void res
      .status(body.status)
      .headers({ ...headers, 'X-Request-Id': requestId })
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, requestId: string): { body: Problem; headers: Record<string, string> } {
    if (isBrokerException(exception)) {
      return {
        body: problem(exception.status, exception.code, exception.detail, requestId, exception.errors),
        headers: exception.headers ?? {},
      };
    }
    if (exception instanceof ThrottlerException) {
      return {
        body: problem(429, 'rate_limited', 'Too many requests; retry later.', requestId),
        headers: { 'Retry-After': String(retryAfterOf(exception)) },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { body: problem(status, httpCode(status), httpDetail(status), requestId), headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        body: problem(503, 'database_unavailable', 'The database is unavailable; retry shortly.', requestId),
        headers: { 'Retry-After': '1' },
      };
    }
    return {
      body: problem(
        500,
        'internal_error',
        'An unexpected error occurred; the request id identifies it in the logs.',
        requestId,
      ),
      headers: {},
    };
  }
}

/** Seconds until the caller's budget refills; a throttler that does not say gets a full window. */
function retryAfterOf(exception: ThrottlerException): number {
  return exception instanceof RateLimitedException ? exception.retryAfterSeconds : 60;
}

/**
 * Database errors carry the failed statement and its parameters (key hashes, ciphertexts):
 * log the kind, message, SQLSTATE and stack only.
 */
function loggable(exception: unknown): Record<string, unknown> {
  if (!(exception instanceof Error)) return { message: String(exception) };
  const driver = (exception as { driverError?: { code?: unknown; constraint?: unknown } }).driverError;
  const code = driver?.code ?? (exception as { code?: unknown }).code;
  return {
    type: exception.name,
    message: exception.message,
    ...(typeof code === 'string' ? { sqlstate: code } : {}),
    stack: exception.stack,
  };
}

function httpCode(status: number): string {
  switch (status) {
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    default:
      return status >= 500 ? 'internal_error' : 'bad_request';
  }
}

function httpDetail(status: number): string {
  switch (status) {
    case 404:
      return 'No such route.';
    case 405:
      return 'This method is not allowed on this route.';
    case 413:
      return 'The request body exceeds 64 KiB.';
    case 415:
      return 'The request body must be application/json.';
    default:
      return status >= 500 ? 'An unexpected error occurred.' : 'The request is invalid.';
  }
}
