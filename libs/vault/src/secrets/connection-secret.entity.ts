import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AadVersion } from '../crypto/secret-binding';

/** One sealed credential per connection; the blobs are `SealedSecret` fields, never plaintext. */
@Entity({ name: 'connection_secrets' })
export class ConnectionSecretEntity {
  @PrimaryColumn({ name: 'connection_id', type: 'uuid' })
  connectionId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  /** Secret version: part of the associated data, so it changes only with a fresh seal. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** Associated-data layout of both blobs (docs/vault.md#associated-data): 2 binds the upstream origin, 1 is legacy. */
  @Column({ name: 'aad_version', type: 'smallint' })
  aadVersion: AadVersion;

  @Column({ name: 'master_key_version', type: 'varchar', length: 16 })
  masterKeyVersion: string;

  @Column({ name: 'wrapped_key', type: 'bytea' })
  wrappedKey: Buffer;

  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
