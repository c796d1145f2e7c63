import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../audit-action';
import type { AuditAction, AuditOutcome } from '../audit-action';

/** The filters shared by the list and the export (docs/api.md#audit-routes). */
export class AuditEventFiltersDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A tenant-bound auditor is always limited to its own tenant; naming another answers 404.',
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ description: 'The API key id of the actor.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor_id?: string;

  @ApiPropertyOptional({ description: 'The upstream login of the subject.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  login?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound of occurred_at.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound of occurred_at.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
