import type { LoginSubject } from '@app/providers';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LinkDelivery = 'direct' | 'launch';

@Entity({ name: 'login_links' })
export class LoginLinkEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'connection_id', type: 'uuid' })
  connectionId!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: 8 })
  delivery!: LinkDelivery;

  @Column({ type: 'jsonb' })
  subject!: LoginSubject;

  @Column({ name: 'target_uri', type: 'text', nullable: true })
  targetUri!: string | null;

  @Column({ name: 'session_lifetime', type: 'integer', nullable: true })
  sessionLifetime!: number | null;

  /** SHA-256 of a launch link's opaque token; the token itself is never stored. */
  @Column({ name: 'token_hash', type: 'bytea', nullable: true, select: false })
  tokenHash!: Buffer | null;

  /** AuditService.fingerprint of the upstream token of a direct link. */
  @Column({ name: 'token_fingerprint', type: 'varchar', length: 16, nullable: true })
  tokenFingerprint!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'redeemed_at', type: 'timestamptz', nullable: true })
  redeemedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
