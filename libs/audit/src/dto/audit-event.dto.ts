import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from '../audit-action';
import type { AuditActorType, AuditOutcome } from '../audit-action';

export class AuditActorDto {
  @ApiProperty({ enum: AUDIT_ACTOR_TYPES })
  type: AuditActorType;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'API key id (api_key), job name or null (system), null (anonymous).',
  })
  id: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['admin', 'portal', 'auditor'] })
  role: string | null;
}

export class AuditSubjectDto {
  @ApiPropertyOptional() login?: string;
  @ApiPropertyOptional() user_id?: string;
  @ApiPropertyOptional() external_id?: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: the broker-wide chain.' })
  tenant_id: string | null;
  @ApiProperty({
    format: 'uuid',
    description: 'The chain the event belongs to: its tenant id, or the nil UUID for the broker-wide chain.',
  })
  chain_id: string;
  @ApiProperty({ description: 'Position in the tenant chain, from 1, without gaps.' }) seq: number;
  @ApiProperty({ format: 'date-time', description: 'Database clock, millisecond precision, part of the hash.' })
  occurred_at: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: string;
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome: AuditOutcome;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id: string | null;
  @ApiProperty({ type: String, nullable: true }) connection_id: string | null;
  @ApiProperty({ type: String, nullable: true }) provider: string | null;
  @ApiProperty({ type: AuditSubjectDto }) subject: AuditSubjectDto;
  @ApiProperty({ type: String, nullable: true }) link_id: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "First 16 hex chars of the upstream token's SHA-256; never the token.",
  })
  token_fingerprint: string | null;
  @ApiProperty({ type: String, nullable: true }) error_code: string | null;
  @ApiProperty({ type: Object }) metadata: Record<string, unknown>;
  @ApiProperty({ description: 'hash of the previous event of the chain (64 zeros for the first).' }) prev_hash: string;
  @ApiProperty({ description: 'hex SHA-256 of the canonical serialisation of this event and prev_hash.' }) hash: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) data: AuditEventDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'With a tenant: the greatest seq on this page (else the after_seq asked for): pass it as after_seq to fetch only newer events. null across tenants.',
  })
  next_after_seq: string | null;
}

export class AuditChainProblemDto {
  @ApiProperty() seq: number;
  @ApiProperty({
    enum: [
      'seq',
      'prev_hash',
      'hash',
      'head',
      'time_order',
      'time_future',
      'checkpoint_mismatch',
      'checkpoint_beyond_chain',
      'checkpoint_invalid',
    ],
  })
  problem: string;
  @ApiProperty() detail: string;
}

export class AuditLatestCheckpointDto {
  @ApiProperty({ description: 'Number of events the checkpoint covers (the seq of its newest event).' }) seq: number;
  @ApiProperty({ description: 'hash of event `seq`, hex.' }) hash: string;
  @ApiProperty({ format: 'date-time' }) time: string;
  @ApiProperty() origin: string;
  @ApiProperty() key_name: string;
  @ApiProperty({ description: '8 hex digits.' }) key_id: string;
  @ApiProperty({ enum: ['database', 'file'] }) source: string;
  @ApiProperty({ description: 'The signed note (C2SP tlog-checkpoint).' }) note: string;
}

export class AuditChainVerdictDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenant_id: string | null;
  @ApiProperty() events_checked: number;
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: Number, nullable: true }) first_broken_seq: number | null;
  @ApiProperty({ format: 'uuid', description: 'The chain: the tenant id, or the nil UUID for the broker-wide chain.' })
  chain_id: string;
  @ApiProperty({ type: Number, nullable: true, description: 'seq of the newest event read (null: empty chain).' })
  head_seq: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'hash of that event: anchor it outside the broker.' })
  head_hash: string | null;
  @ApiProperty({ description: 'Signed checkpoints checked against the chain (signature, then hash at seq).' })
  checkpoints_checked: number;
  @ApiProperty({ type: AuditLatestCheckpointDto, nullable: true }) latest_checkpoint: AuditLatestCheckpointDto | null;
  @ApiProperty({ type: [AuditChainProblemDto], description: 'The first problems found (at most 20).' })
  problems: AuditChainProblemDto[];
}
