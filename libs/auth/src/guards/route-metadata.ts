import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { AUTH_POLICY_KEY, IS_PUBLIC_KEY } from '../auth.constants';
import type { AuthPolicy } from '../decorators/auth.decorator';

interface RouteAuth {
  isPublic: boolean;
  policy: AuthPolicy | undefined;
}

/**
 * Per controller and handler, what @Public() and @Auth() say. Decorators are applied when the
 * classes load, so this is fixed once the app is built; three global guards ask it on every
 * request, which otherwise costs two metadata lookups each time (docs/performance.md).
 */
const routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

function routeAuth(reflector: Reflector, context: ExecutionContext): RouteAuth {
  const handler = context.getHandler();
  const controller = context.getClass();
  let handlers = routes.get(controller);
  if (handlers === undefined) routes.set(controller, (handlers = new WeakMap()));
  let route = handlers.get(handler);
  if (route === undefined) {
    const targets = [handler, controller];
    route = {
      isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets) === true,
      policy: reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY_KEY, targets),
    };
    handlers.set(handler, route);
  }
  return route;
}

export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return routeAuth(reflector, context).isPublic;
}

export function authPolicyOf(reflector: Reflector, context: ExecutionContext): AuthPolicy | undefined {
  return routeAuth(reflector, context).policy;
}
