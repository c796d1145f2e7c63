import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { AUTH_POLICY_KEY, IS_PUBLIC_KEY } from '../auth.constants';
import type { AuthPolicy } from '../decorators/auth.decorator';

const targetsOf = (context: ExecutionContext) => [context.getHandler(), context.getClass()];

export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targetsOf(context)) === true;
}

export function authPolicyOf(reflector: Reflector, context: ExecutionContext): AuthPolicy | undefined {
  return reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY_KEY, targetsOf(context));
}
