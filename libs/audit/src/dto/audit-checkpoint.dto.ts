import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@app/common';

export class AuditCheckpointDto {
  @ApiProperty({ description: 'Opaque, increasing with time.' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The chain: the tenant id, or the nil UUID (broker-wide chain).' })
  chain_id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenant_id: string | null;
  @ApiProperty({ description: 'The chain held `hash` at this seq (the size line of the note).' }) seq: number;
  @ApiProperty({ description: 'hash of event `seq`, hex; the note carries it in base64.' }) hash: string;
  @ApiProperty({ format: 'date-time', description: 'The time line of the note (database clock).' })
  checkpointed_at: string;
  @ApiProperty({ description: 'Signing key id, 8 hex digits.' }) key_id: string;
  @ApiProperty({ description: 'The signed note (C2SP tlog-checkpoint), byte for byte as delivered to the sinks.' })
  note: string;
}

export class AuditCheckpointPageDto {
  @ApiProperty({ type: [AuditCheckpointDto] }) data: AuditCheckpointDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class ListAuditCheckpointsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A tenant-bound auditor is always limited to its own tenant; naming another answers 404.',
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}

export class AuditCheckpointPublicKeyDto {
  @ApiProperty({ description: 'BROKER_AUDIT_SIGNING_KEYS version, e.g. v1.' }) version: string;
  @ApiProperty({ description: 'The key name in signature lines (the origin prefix).' }) key_name: string;
  @ApiProperty({ description: 'SHA-256(key name || 0x0A || 0x01 || public key)[:4], hex.' }) key_id: string;
  @ApiProperty({ enum: ['ed25519'] }) algorithm: string;
  @ApiProperty({ description: '32-byte Ed25519 public key, base64.' }) public_key: string;
  @ApiProperty({ description: 'The verifier key for note tooling: <name>+<hex id>+<base64(0x01 || key)>.' })
  verifier_key: string;
  @ApiProperty({ description: 'true for the key that signs new checkpoints.' }) current: boolean;
}

export class AuditCheckpointPublicKeysDto {
  @ApiProperty({ type: [AuditCheckpointPublicKeyDto] }) keys: AuditCheckpointPublicKeyDto[];
}
