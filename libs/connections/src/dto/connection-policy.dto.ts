import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Entries per list: a policy is a short, reviewed list, not a user directory. */
export const POLICY_LIST_MAX = 200;
export const MAX_LINKS_PER_SUBJECT_PER_HOUR = 100_000;
export const LAUNCH_CONFIRMATIONS = ['auto', 'click'] as const;
export type LaunchConfirmation = (typeof LAUNCH_CONFIRMATIONS)[number];

/** One side (allow or deny) of a connection's subject rules (docs/links.md#issuance-policy). */
export class SubjectRulesDto {
  @ApiPropertyOptional({
    type: [String],
    maxItems: POLICY_LIST_MAX,
    example: ['*@customer-a.example'],
    description:
      'Glob patterns over user.login, case-insensitive: `*` any run of characters (including `/` and `@`), `?` one character; nothing else is special.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(POLICY_LIST_MAX)
  @IsString({ each: true })
  @Length(1, 320, { each: true })
  logins?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: POLICY_LIST_MAX,
    description: 'Exact user.user_id values (case-insensitive).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(POLICY_LIST_MAX)
  @IsString({ each: true })
  @Length(1, 320, { each: true })
  user_ids?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: POLICY_LIST_MAX, description: 'Exact user.external_id values.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(POLICY_LIST_MAX)
  @IsString({ each: true })
  @Length(1, 320, { each: true })
  external_ids?: string[];
}

export class SubjectPolicyDto {
  @ApiPropertyOptional({
    type: SubjectRulesDto,
    description: 'When present, only subjects matching one of its entries get a link. Absent: everyone.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectRulesDto)
  allow?: SubjectRulesDto;

  @ApiPropertyOptional({
    type: SubjectRulesDto,
    description: 'Subjects matching one of its entries never get a link; deny wins over allow.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectRulesDto)
  deny?: SubjectRulesDto;
}

/** Issuance policy of a connection, enforced before any upstream call (docs/links.md#issuance-policy). */
export class ConnectionPolicyDto {
  @ApiPropertyOptional({ type: SubjectPolicyDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectPolicyDto)
  subjects?: SubjectPolicyDto;

  @ApiPropertyOptional({
    description: 'Every login-link request must carry `reason` (1 to 500 characters).',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  require_reason?: boolean;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_LINKS_PER_SUBJECT_PER_HOUR,
    example: 10,
    description: 'Login links per subject per hour on this connection, counted for every broker instance together.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LINKS_PER_SUBJECT_PER_HOUR)
  max_links_per_subject_per_hour?: number;
}

/** What the database and the answers hold: the same shape, plain data, absent fields left out. */
export interface SubjectRules {
  logins?: string[];
  user_ids?: string[];
  external_ids?: string[];
}

export interface ConnectionPolicy {
  subjects?: { allow?: SubjectRules; deny?: SubjectRules };
  require_reason?: boolean;
  max_links_per_subject_per_hour?: number;
}

/** The validated DTO as plain data, without undefined fields (it is stored as jsonb and audited). */
export function plainPolicy(dto: ConnectionPolicyDto | undefined | null): ConnectionPolicy {
  if (dto === undefined || dto === null) return {};
  const rules = (side: SubjectRulesDto | undefined): SubjectRules | undefined =>
    side === undefined
      ? undefined
      : dropUndefined({ logins: side.logins, user_ids: side.user_ids, external_ids: side.external_ids });
  const subjects =
    dto.subjects === undefined
      ? undefined
      : dropUndefined({ allow: rules(dto.subjects.allow), deny: rules(dto.subjects.deny) });
  return dropUndefined({
    subjects,
    require_reason: dto.require_reason,
    max_links_per_subject_per_hour: dto.max_links_per_subject_per_hour,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
