import type { ApiKeyRole } from '@app/common';
import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { API_KEY_SECURITY, AUTH_POLICY_KEY } from '../auth.constants';

/**
 * Where a route names the tenant it acts on. `required`: a key bound to no tenant (admin) must
 * name one (a tenant-bound key always acts on its own); otherwise naming none means every tenant.
 */
export interface TenantSource {
  in: 'path' | 'body' | 'query';
  /** Defaults to `tenant_id`. */
  name?: string;
  required: boolean;
}

export interface AuthPolicy {
  /** Roles allowed on the route. */
  roles: readonly ApiKeyRole[];
  /** The tenant the route acts on; the handler reads it with @CurrentTenant() / @CurrentTenants(). */
  tenant?: TenantSource;
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
  if (policy.tenant !== undefined) {
    decorators.push(
      ApiNotFoundResponse({ description: "tenant_not_found: no such tenant, or one outside the key's tenant." }),
    );
    if (policy.tenant.in === 'path') {
      // The guard reads the path's tenant, so no handler declares it with @Param(): say it here, or
      // the OpenAPI document (and the clients generated from it) would lack the parameter.
      decorators.push(
        ApiParam({
          name: policy.tenant.name ?? 'tenant_id',
          format: 'uuid',
          description: 'The tenant (400 invalid_id when not a UUID).',
        }),
      );
    } else {
      decorators.push(
        ApiBadRequestResponse({
          description: `validation_failed: ${policy.tenant.name ?? 'tenant_id'} is not a UUID${policy.tenant.required ? '; tenant_id_required: an admin key must name the tenant' : ''}.`,
        }),
      );
    }
  }
  return applyDecorators(...decorators);
}
