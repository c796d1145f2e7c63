import { ParsedCredentials } from '@app/providers';
import { ConnectionSecretEntity, VaultService } from '@app/vault';
import { EntityManager, FindOptionsSelect, In } from 'typeorm';
import { CredentialInfoDto } from './dto/connection.dto';

/** The only columns read for answers: kind, version and time, never a blob. */
const INFO_COLUMNS: FindOptionsSelect<ConnectionSecretEntity> = {
  connectionId: true,
  kind: true,
  version: true,
  updatedAt: true,
};

export type CredentialInfo = Pick<ConnectionSecretEntity, 'connectionId' | 'kind' | 'version' | 'updatedAt'>;

/**
 * Seals `credentials` as secret version `version` of the connection and writes the row (insert
 * or replace). The version is in the associated data, so a replaced credential's old blobs can
 * never be replayed onto the row.
 */
export async function writeSealedCredential(
  manager: EntityManager,
  vault: VaultService,
  owner: { tenantId: string; connectionId: string },
  credentials: ParsedCredentials,
  version: number,
): Promise<CredentialInfo> {
  const sealed = vault.seal({ ...owner, secretVersion: version }, credentials.value);
  const row: ConnectionSecretEntity = {
    connectionId: owner.connectionId,
    tenantId: owner.tenantId,
    version,
    kind: credentials.kind,
    masterKeyVersion: sealed.masterKeyVersion,
    wrappedKey: sealed.wrappedKey,
    ciphertext: sealed.ciphertext,
    updatedAt: new Date(),
  };
  await manager.upsert(ConnectionSecretEntity, row, ['connectionId']);
  return { connectionId: row.connectionId, kind: row.kind, version, updatedAt: row.updatedAt };
}

export async function lockCredentialInfo(manager: EntityManager, connectionId: string): Promise<CredentialInfo | null> {
  return manager.findOne(ConnectionSecretEntity, {
    select: INFO_COLUMNS,
    where: { connectionId },
    lock: { mode: 'pessimistic_write' },
  });
}

export async function credentialInfoByConnection(
  manager: EntityManager,
  connectionIds: string[],
): Promise<Map<string, CredentialInfo>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await manager.find(ConnectionSecretEntity, {
    select: INFO_COLUMNS,
    where: { connectionId: In(connectionIds) },
  });
  return new Map(rows.map((row) => [row.connectionId, row]));
}

export function credentialInfoDto(info: CredentialInfo): CredentialInfoDto {
  return { kind: info.kind, version: info.version, updated_at: info.updatedAt.toISOString() };
}
