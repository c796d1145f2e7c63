import { routePathOf, type BrokerRequest, Principal } from '@app/common';
import { createParamDecorator, ExecutionContext, Logger } from '@nestjs/common';
import { AuthException, AuthExceptionCode } from '../auth.exception';

const logger = new Logger('CurrentPrincipal');

export function principalOf(context: ExecutionContext): Principal {
  const request = context.switchToHttp().getRequest<BrokerRequest>();
  if (request.principal === undefined) {
    logger.error(`guard missing: no principal on ${request.method} ${routePathOf(request)}`);
    throw new AuthException(500, AuthExceptionCode.PRINCIPAL_MISSING, 'An unexpected error occurred.');
  }
  return request.principal;
}

/** `@CurrentPrincipal() principal: Principal`: the caller resolved by the API-key guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => principalOf(context));
