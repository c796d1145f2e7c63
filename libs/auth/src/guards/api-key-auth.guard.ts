import { type BrokerRequest, httpReplyOf, httpRequestOf, type Principal } from '@app/common';
import { AuthFailureLimiter, RateLimitedException } from '@app/rate-limit';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import passport from 'passport';
import { AuthException, AuthExceptionCode, unauthorized } from '../auth.exception';
import { ConsoleSessionAuthenticator } from '../console-sessions/console-session.authenticator';
import { ApiKeyStrategy } from '../passport/api-key.strategy';
import { isPublicRoute } from './route-metadata';

/**
 * Global and first: every route needs a valid API key (or a console session, which acts as one)
 * unless it is marked @Public().
 * It hands passport this application's own strategy instance instead of a name looked up in
 * passport's process-wide registry (what @nestjs/passport's AuthGuard does): with several broker
 * applications in one process (multi-instance tests), a name would resolve to whichever
 * registered last, with another application's database connection.
 */
@Injectable()
export class ApiKeyAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: ApiKeyStrategy,
    private readonly failures: AuthFailureLimiter,
    private readonly console: ConsoleSessionAuthenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // A plain `true` for public routes: Nest awaits a promise from every guard, and the probes
    // are the most frequent requests (docs/performance.md).
    return isPublicRoute(this.reflector, context) || this.authenticate(context);
  }

  /** Not async: the passport round is one promise already, and a second around it would cost a turn per request. */
  private authenticate(context: ExecutionContext): Promise<boolean> {
    const request = httpRequestOf(context);
    const ambiguous = ambiguousCredentials(request);
    if (ambiguous !== undefined) return Promise.reject(ambiguous);
    // A request without an Authorization header may carry a web console session instead
    // (docs/architecture.md#console-sessions); a bearer key, when sent, always decides.
    const sessionToken = request.headers.authorization === undefined ? this.console.cookieOf(request) : undefined;
    if (sessionToken !== undefined) return this.authenticateSession(request, sessionToken);
    const wait = this.failures.retryAfter(request.ip);
    if (wait > 0) return Promise.reject(new RateLimitedException(wait));
    return new Promise<boolean>((resolve, reject) => {
      const callback = (error: unknown, principal: Principal | false) => {
        try {
          request.principal = principalOrThrow(error, principal, request);
          resolve(true);
        } catch (failure) {
          reject(failure);
        }
      };
      // Passport attaches the request's success/fail callbacks to the object it is given: each
      // request needs its own, derived from the strategy the way passport does for named ones.
      const perRequest = Object.create(this.strategy) as ApiKeyStrategy;
      // eslint-disable-next-line @typescript-eslint/no-unsafe-call -- passport's typings return any
      passport.authenticate(perRequest, { session: false }, callback)(request, httpReplyOf(context), reject);
    });
  }

  private async authenticateSession(request: BrokerRequest, sessionToken: string): Promise<boolean> {
    request.principal = await this.console.authenticate(request, sessionToken);
    return true;
  }
}

export function principalOrThrow(
  error: unknown,
  principal: Principal | false | null | undefined,
  request: BrokerRequest,
): Principal {
  if (error) throw error as Error;
  if (principal) return principal;
  // passport-http-bearer fails without calling validate when there is no token, or a header it cannot split.
  const header = request.headers.authorization;
  throw header === undefined || header === ''
    ? unauthorized(AuthExceptionCode.MISSING_API_KEY, 'An API key is required: send Authorization: Bearer <key>.')
    : unauthorized(AuthExceptionCode.MALFORMED_API_KEY, 'The Authorization header must be "Bearer <key>".');
}

/**
 * Node keeps only the first of several Authorization headers; a proxy in front may keep the
 * last. Two of them are refused rather than guessed at.
 */
function ambiguousCredentials(request: BrokerRequest): AuthException | undefined {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'authorization') count++;
  if (count <= 1) return undefined;
  return new AuthException(
    400,
    AuthExceptionCode.AMBIGUOUS_CREDENTIALS,
    'The request carries more than one Authorization header; send exactly one.',
  );
}
