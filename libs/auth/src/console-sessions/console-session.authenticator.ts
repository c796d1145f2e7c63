import type { BrokerRequest, Principal } from '@app/common';
import { Injectable } from '@nestjs/common';
import { AuthException, AuthExceptionCode } from '../auth.exception';
import { ConsoleCookie } from './console-cookie';
import { csrfTokenMatches } from './console-session-token';
import type { LiveConsoleSession } from './console-sessions.store';
import { ConsoleSessionsService } from './console-sessions.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request authenticated by its console cookie carries its session here. */
export type ConsoleRequest = BrokerRequest & { consoleSession?: { session: LiveConsoleSession; token: string } };

/**
 * Turns a console cookie into the principal of the session's key, for ApiKeyAuthGuard. The
 * session is checked in the database on every request. State-changing requests must also come
 * from the broker's own origin (Sec-Fetch-Site same-origin, or else an Origin equal to
 * PUBLIC_BASE_URL's; a cookie request with neither is refused, only browsers send the cookie)
 * and carry the session's X-CSRF-Token. Either check alone stops a cross-site form or fetch; both
 * together also cover a browser that mislabels one of them.
 */
@Injectable()
export class ConsoleSessionAuthenticator {
  constructor(
    private readonly sessions: ConsoleSessionsService,
    private readonly cookie: ConsoleCookie,
  ) {}

  cookieOf(request: BrokerRequest): string | undefined {
    return this.cookie.read(request);
  }

  async authenticate(request: ConsoleRequest, token: string): Promise<Principal> {
    const session = await this.sessions.authenticate(token);
    if (session === null) {
      throw new AuthException(
        401,
        AuthExceptionCode.INVALID_CONSOLE_SESSION,
        'The console session has ended; sign in again.',
      );
    }
    if (!SAFE_METHODS.has(request.method)) {
      if (!this.isSameOrigin(request)) {
        throw new AuthException(
          403,
          AuthExceptionCode.CROSS_SITE_REQUEST,
          'A state-changing console request must come from the console itself.',
        );
      }
      const presented = request.headers['x-csrf-token'];
      if (!csrfTokenMatches(token, typeof presented === 'string' ? presented : undefined)) {
        throw new AuthException(
          403,
          AuthExceptionCode.INVALID_CSRF_TOKEN,
          'Send the session’s csrf_token as X-CSRF-Token.',
        );
      }
    }
    request.consoleSession = { session, token };
    return { keyId: session.keyId, role: session.role, tenantId: session.tenantId };
  }

  private isSameOrigin(request: BrokerRequest): boolean {
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== '') return site.trim().toLowerCase() === 'same-origin';
    const origin = request.headers.origin;
    return typeof origin === 'string' && origin.trim().toLowerCase() === this.cookie.publicOrigin.toLowerCase();
  }
}
