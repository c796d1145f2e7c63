import { httpRequestOf } from '@app/common';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AuthException, AuthExceptionCode } from '../auth.exception';
import type { ConsoleRequest } from './console-session.authenticator';
import type { LiveConsoleSession } from './console-sessions.store';

export interface CurrentConsoleSessionValue {
  session: LiveConsoleSession;
  token: string;
}

/**
 * `@CurrentConsoleSession()`: the console session the request was authenticated by. A request
 * authenticated by a bearer key has none and gets 404 console_session_not_found.
 */
export const CurrentConsoleSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): CurrentConsoleSessionValue => {
    const request = httpRequestOf<ConsoleRequest>(context);
    if (request.consoleSession === undefined) {
      throw new AuthException(
        404,
        AuthExceptionCode.CONSOLE_SESSION_NOT_FOUND,
        'This request carries no console session (it was authenticated by a bearer key).',
      );
    }
    return request.consoleSession;
  },
);
