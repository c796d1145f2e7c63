import { httpRequestOf, isAllTenants, type BrokerRequest, type TenantScope, type TenantSelection } from '@app/common';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { guardMissing } from './current-principal.decorator';

function selectionOf(request: BrokerRequest): TenantSelection {
  if (request.tenantSelection === undefined) throw guardMissing(request, 'tenant selection');
  return request.tenantSelection;
}

/** The one tenant the route acts on (its @Auth names a required tenant): what `@CurrentTenant()` gives. */
export function currentTenantOf(request: BrokerRequest): TenantScope {
  const selection = selectionOf(request);
  if (isAllTenants(selection)) throw guardMissing(request, 'required tenant');
  return selection;
}

/** `@CurrentTenant() scope: TenantScope`: the one tenant the route acts on (its @Auth names a required tenant). */
export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): TenantScope =>
  currentTenantOf(httpRequestOf(context)),
);

/** `@CurrentTenants() selection: TenantSelection`: one tenant, or every tenant for an unbound key naming none. */
export const CurrentTenants = createParamDecorator((_: unknown, context: ExecutionContext): TenantSelection =>
  selectionOf(httpRequestOf(context)),
);
