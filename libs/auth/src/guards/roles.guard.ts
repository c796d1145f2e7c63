import { httpRequestOf, routePathOf } from '@app/common';
import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthException, AuthExceptionCode } from '../auth.exception';
import { principalOf } from '../decorators/current-principal.decorator';
import { authPolicyOf, isPublicRoute } from './route-metadata';

/** Global, after authentication. Fails closed: a route without @Auth() or @Public() is denied. */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly logger = new Logger(RolesGuard.name);

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (isPublicRoute(this.reflector, context)) return true;
    const policy = authPolicyOf(this.reflector, context);
    if (policy === undefined) {
      const request = httpRequestOf(context);
      this.logger.error(`route without @Auth() or @Public(): ${request.method} ${routePathOf(request)}`);
      throw new AuthException(
        403,
        AuthExceptionCode.ROUTE_NOT_AUTHORIZED,
        'This route has no access policy and is denied.',
      );
    }
    if (!policy.roles.includes(principalOf(context).role)) {
      throw new AuthException(
        403,
        AuthExceptionCode.FORBIDDEN_ROLE,
        `This route requires one of the roles: ${policy.roles.join(', ')}.`,
      );
    }
    return true;
  }
}
