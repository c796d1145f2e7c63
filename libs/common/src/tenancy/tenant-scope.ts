declare const scopeBrand: unique symbol;

/**
 * Proof that the current work may touch one tenant's rows. Every store method over a
 * tenant-owned table takes one as its first argument, so a query that forgot its tenant does not
 * compile. Only the auth layer issues scopes for requests (from the principal and the tenant the
 * route names, see docs/architecture.md#tenant-scope); the few trusted paths that act for a tenant
 * without a principal derive one from a row the database returned (a tenant just created, a
 * launch link whose token was presented). ESLint keeps `issueTenantScope` to those files.
 */
export interface TenantScope {
  readonly tenantId: string;
  readonly [scopeBrand]: 'tenant';
}

/** Reads across every tenant: only keys bound to no tenant (admin, global auditor) get it. */
export interface AllTenants {
  readonly allTenants: true;
  readonly [scopeBrand]: 'all';
}

/** What a route that may span tenants resolved to: one tenant, or all of them. */
export type TenantSelection = TenantScope | AllTenants;

export function issueTenantScope(tenantId: string): TenantScope {
  return Object.freeze({ tenantId: tenantId.toLowerCase() }) as TenantScope;
}

export const ALL_TENANTS: AllTenants = Object.freeze({ allTenants: true }) as AllTenants;

export function isAllTenants(selection: TenantSelection): selection is AllTenants {
  return 'allTenants' in selection;
}
