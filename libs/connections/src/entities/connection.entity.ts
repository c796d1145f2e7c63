import type { ConnectionPolicy, LaunchConfirmation } from '../dto/connection-policy.dto';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'connections' })
export class ConnectionEntity {
  /** Assigned by the service, not the database: the credential is sealed to it before the insert. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'base_url', type: 'varchar', length: 2048 })
  baseUrl: string;

  /** Validated by the provider's parseSettings; never holds a secret. */
  @Column({ type: 'jsonb' })
  settings: Record<string, unknown>;

  /** Default lifetime of launch links in seconds; null: LAUNCH_LINK_TTL_SECONDS. */
  @Column({ name: 'launch_expires_in', type: 'integer', nullable: true })
  launchExpiresIn: number | null;

  /** The issuance policy (docs/links.md#issuance-policy); `{}` allows everyone. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  policy: ConnectionPolicy;

  /** auto: the launch continue page submits itself; click: only the person's click redeems. */
  @Column({ name: 'launch_confirmation', type: 'varchar', length: 8, default: 'auto' })
  launchConfirmation: LaunchConfirmation;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
