import type { AcronisUserConfig } from './acronis-simulator.options';

const CREATED_AT = new Date().toISOString();

/**
 * The `user` object of the Account Management API, limited to what clients read
 * (docs/providers/acronis.md#exchanging-an-ott-for-a-session).
 */
export function userView(user: AcronisUserConfig): Record<string, unknown> {
  return {
    id: user.id,
    tenant_id: user.tenant_id,
    login: user.login,
    external_id: user.external_id ?? null,
    enabled: user.enabled !== false,
    activated: true,
    personal_tenant_id: null,
    idp_id: null,
    contact: { email: user.login.includes('@') ? user.login : '', firstname: '', lastname: '' },
    created_at: CREATED_AT,
    version: 1,
  };
}
