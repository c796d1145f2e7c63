import { httpRequestOf, routePathOf, type BrokerRequest, type Principal } from '@app/common';
import { createParamDecorator, ExecutionContext, Logger } from '@nestjs/common';
import { AuthException, AuthExceptionCode } from '../auth.exception';

const logger = new Logger('CurrentPrincipal');

/** A handler reads what a guard should have set, and none did: a wiring bug, answered as a 500. */
export function guardMissing(request: BrokerRequest, what: string): AuthException {
  logger.error(`guard missing: no ${what} on ${request.method} ${routePathOf(request)}`);
  return new AuthException(500, AuthExceptionCode.PRINCIPAL_MISSING, 'An unexpected error occurred.');
}

export function principalOf(context: ExecutionContext): Principal {
  const request = httpRequestOf(context);
  if (request.principal === undefined) throw guardMissing(request, 'principal');
  return request.principal;
}

/** `@CurrentPrincipal() principal: Principal`: the caller resolved by the API-key guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => principalOf(context));
