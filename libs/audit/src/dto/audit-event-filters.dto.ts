import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../audit-action';
import type { AuditAction, AuditOutcome } from '../audit-action';

export const EVENT_ORDERS = ['desc', 'asc'] as const;
export type EventOrder = (typeof EVENT_ORDERS)[number];

/** `action=a&action=b` and `action=a,b` (or both) give the same list; each value is validated. */
function actionList({ value }: { value: unknown }): unknown {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (!values.every((v) => typeof v === 'string')) return value;
  return [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()))];
}

/** The filters shared by the list and the export (docs/api.md#audit-routes). */
export class AuditEventFiltersDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A tenant-bound auditor is always limited to its own tenant; naming another answers 404.',
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({
    type: [String],
    enum: AUDIT_ACTIONS,
    description: 'One or several actions: repeat the parameter (action=a&action=b) or give a comma list.',
  })
  @IsOptional()
  @Transform(actionList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(AUDIT_ACTIONS.length)
  @IsIn(AUDIT_ACTIONS, { each: true })
  action?: AuditAction[];

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

  @ApiPropertyOptional({ description: 'The connection involved.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  connection_id?: string;

  @ApiPropertyOptional({ description: 'The login link (every event of one link: issued, redeemed, failed, …).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  link_id?: string;

  @ApiPropertyOptional({ description: 'The X-Request-Id of the request that caused the event.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  request_id?: string;

  @ApiPropertyOptional({ description: 'The provider kind, e.g. acronis or flussonic.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  provider?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound of occurred_at.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound of occurred_at.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    description:
      'Incremental pulls: only events with a greater seq. Needs a tenant (a tenant-bound key has one; an admin or global auditor names tenant_id). Pass the previous answer’s next_after_seq (list) or X-Next-After-Seq (export).',
    pattern: '^(0|[1-9][0-9]{0,17})$',
  })
  @IsOptional()
  @Matches(/^(0|[1-9]\d{0,17})$/, { message: 'after_seq must be a non-negative integer' })
  after_seq?: string;

  @ApiPropertyOptional({
    enum: EVENT_ORDERS,
    default: 'desc',
    description: 'desc: newest first (occurred_at, id). asc: oldest first, in seq order; needs a tenant.',
  })
  @IsOptional()
  @IsIn(EVENT_ORDERS)
  order?: EventOrder;
}
