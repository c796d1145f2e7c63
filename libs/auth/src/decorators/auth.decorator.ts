import type { ApiKeyRole } from '@app/common';
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { API_KEY_SECURITY, AUTH_POLICY_KEY } from '../auth.constants';

export interface AuthPolicy {
  /** Roles allowed on the route. */
  roles: readonly ApiKeyRole[];
  /** Path parameter naming a tenant: a tenant-bound key may only name its own tenant. */
  tenantParam?: string;
}

/** Declares who may call a route; the same metadata drives the guards and the OpenAPI document. */
export function Auth(policy: AuthPolicy) {
  const decorators = [
    SetMetadata(AUTH_POLICY_KEY, policy),
    ApiBearerAuth(API_KEY_SECURITY),
    ApiUnauthorizedResponse({
      description:
        'Missing, malformed, unknown, revoked or expired API key: missing_api_key, malformed_api_key, invalid_api_key, revoked_api_key, expired_api_key.',
    }),
    ApiForbiddenResponse({ description: `forbidden_role: the key's role is not one of ${policy.roles.join(', ')}.` }),
  ];
  if (policy.tenantParam !== undefined) {
    decorators.push(
      ApiNotFoundResponse({ description: "tenant_not_found: no such tenant, or one outside the key's tenant." }),
    );
  }
  return applyDecorators(...decorators);
}
