import { isAllTenants, type BrokerRequest, type TenantScope, type TenantSelection } from '@app/common';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { guardMissing } from './current-principal.decorator';

function selectionOf(context: ExecutionContext): TenantSelection {
  const request = context.switchToHttp().getRequest<BrokerRequest>();
  if (request.tenantSelection === undefined) throw guardMissing(request, 'tenant selection');
  return request.tenantSelection;
}

/** `@CurrentTenant() scope: TenantScope`: the one tenant the route acts on (its @Auth names a required tenant). */
export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): TenantScope => {
  const selection = selectionOf(context);
  if (isAllTenants(selection)) {
    throw guardMissing(context.switchToHttp().getRequest<BrokerRequest>(), 'required tenant');
  }
  return selection;
});

/** `@CurrentTenants() selection: TenantSelection`: one tenant, or every tenant for an unbound key naming none. */
export const CurrentTenants = createParamDecorator((_: unknown, context: ExecutionContext): TenantSelection =>
  selectionOf(context),
);
