import { ConnectionContext } from '@app/providers';
import { SealedSecret, VaultService } from '@app/vault';
import { EntityManager } from 'typeorm';
import { isUuid } from '@app/common';

export interface ResolvedConnectionRow {
  id: string;
  tenant_id: string;
  name: string;
  provider: string;
  base_url: string;
  settings: Record<string, unknown>;
  launch_expires_in: number | null;
  secret_version: number;
  master_key_version: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
}

/**
 * One query for the connection and its sealed credential, so the version a provider caches on
 * and the blob it decrypts always come from the same committed row. A reference is an id when
 * it is UUID-shaped (names never are) and a name otherwise; both stay within the tenant.
 */
export async function findWithSealedCredential(
  manager: EntityManager,
  tenantId: string,
  ref: string,
): Promise<ResolvedConnectionRow | undefined> {
  const column = isUuid(ref) ? 'c.id' : 'c.name';
  const rows: ResolvedConnectionRow[] = await manager.query(
    `SELECT c.id, c.tenant_id, c.name, c.provider, c.base_url, c.settings, c.launch_expires_in,
            s.version AS secret_version, s.master_key_version, s.wrapped_key, s.ciphertext
       FROM connections c
       JOIN connection_secrets s ON s.connection_id = c.id AND s.tenant_id = c.tenant_id
      WHERE c.tenant_id = $1 AND ${column} = $2`,
    [tenantId, isUuid(ref) ? ref.toLowerCase() : ref],
  );
  return rows[0];
}

export type TargetLookup =
  { found: 'no_tenant' } | { found: 'tenant'; tenantStatus: string; row: ResolvedConnectionRow | undefined };

/**
 * findWithSealedCredential plus the tenant's status in the same round trip: the tenant row drives
 * the query, so "no such tenant", "tenant exists, no such connection" and the connection itself
 * are told apart.
 */
export async function findTargetWithTenantStatus(
  manager: EntityManager,
  tenantId: string,
  ref: string,
): Promise<TargetLookup> {
  const column = isUuid(ref) ? 'c.id' : 'c.name';
  const rows: Array<{ tenant_status: string } & ({ id: null } | ResolvedConnectionRow)> = await manager.query(
    `SELECT t.status AS tenant_status, c.id, c.tenant_id, c.name, c.provider, c.base_url, c.settings, c.launch_expires_in,
            s.version AS secret_version, s.master_key_version, s.wrapped_key, s.ciphertext
       FROM tenants t
       LEFT JOIN (connections c JOIN connection_secrets s ON s.connection_id = c.id AND s.tenant_id = c.tenant_id)
              ON c.tenant_id = t.id AND ${column} = $2
      WHERE t.id = $1`,
    [tenantId, isUuid(ref) ? ref.toLowerCase() : ref],
  );
  if (rows.length === 0) return { found: 'no_tenant' };
  const { tenant_status: tenantStatus, ...row } = rows[0];
  return { found: 'tenant', tenantStatus, row: row.id === null ? undefined : row };
}

/**
 * The context handed to providers. It holds only the sealed blobs: the credential is decrypted
 * on each loadCredentials() call (a few µs) and never kept, see docs/vault.md on caching.
 */
export function connectionContext(vault: VaultService, row: ResolvedConnectionRow): ConnectionContext {
  const binding = { tenantId: row.tenant_id, connectionId: row.id, secretVersion: row.secret_version };
  const sealed: SealedSecret = {
    masterKeyVersion: row.master_key_version,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
  };
  return {
    tenantId: row.tenant_id,
    connectionId: row.id,
    baseUrl: row.base_url,
    settings: row.settings,
    credentialVersion: row.secret_version,
    loadCredentials: async () => vault.open(binding, sealed),
  };
}
