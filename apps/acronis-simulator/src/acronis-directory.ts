import type { AcronisClientConfig, AcronisTenantConfig, AcronisUserConfig } from './acronis-simulator.options';

export type UserSelector = { login: string } | { user_id: string } | { external_id: string };

const MAX_TENANT_DEPTH = 64;

/** Clients, users and the tenant tree the simulated data center knows about. */
export class AcronisDirectory {
  private readonly clients = new Map<string, AcronisClientConfig>();
  private readonly usersById = new Map<string, AcronisUserConfig>();
  private readonly usersByLogin = new Map<string, AcronisUserConfig>();
  private readonly usersByExternalId = new Map<string, AcronisUserConfig>();
  private readonly tenantParents = new Map<string, string | undefined>();

  constructor(clients: AcronisClientConfig[], users: AcronisUserConfig[], tenants: AcronisTenantConfig[]) {
    clients.forEach((client) => this.addClient(client));
    tenants.forEach((tenant) => this.addTenant(tenant));
    users.forEach((user) => this.addUser(user));
  }

  addClient(client: AcronisClientConfig): void {
    this.clients.set(client.client_id, { ...client });
  }

  addTenant(tenant: AcronisTenantConfig): void {
    this.tenantParents.set(tenant.id, tenant.parent_id);
  }

  /** Adds or replaces a user (matched by id). */
  addUser(user: AcronisUserConfig): void {
    const previous = this.usersById.get(user.id);
    if (previous) {
      this.usersByLogin.delete(loginKey(previous.login));
      if (previous.external_id !== undefined) this.usersByExternalId.delete(previous.external_id);
    }
    const stored = { ...user };
    this.usersById.set(user.id, stored);
    this.usersByLogin.set(loginKey(user.login), stored);
    if (user.external_id !== undefined) this.usersByExternalId.set(user.external_id, stored);
  }

  client(clientId: string): AcronisClientConfig | undefined {
    return this.clients.get(clientId);
  }

  userById(id: string): AcronisUserConfig | undefined {
    return this.usersById.get(id);
  }

  findUser(selector: UserSelector): AcronisUserConfig | undefined {
    if ('login' in selector) return this.usersByLogin.get(loginKey(selector.login));
    if ('user_id' in selector) return this.usersById.get(selector.user_id);
    return this.usersByExternalId.get(selector.external_id);
  }

  loginTaken(login: string): boolean {
    return this.usersByLogin.has(loginKey(login));
  }

  tenantKnown(tenantId: string): boolean {
    return this.tenantParents.has(tenantId);
  }

  tenantParent(tenantId: string): string | undefined {
    return this.tenantParents.get(tenantId);
  }

  /** True when `tenantId` is `rootId` or one of its descendants. */
  inSubtree(tenantId: string, rootId: string): boolean {
    let current: string | undefined = tenantId;
    for (let depth = 0; current !== undefined && depth < MAX_TENANT_DEPTH; depth += 1) {
      if (current === rootId) return true;
      current = this.tenantParents.get(current);
    }
    return false;
  }
}

// INFERRED: Acronis logins are treated case-insensitively, like the e-mail addresses they usually are.
function loginKey(login: string): string {
  return login.toLowerCase();
}
