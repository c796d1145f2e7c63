import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsConnectionName } from './connection-name';
import { ConnectionPolicyDto, LAUNCH_CONFIRMATIONS, type LaunchConfirmation } from './connection-policy.dto';
import { LAUNCH_EXPIRY_BOUNDS } from './launch-expiry';

export class CreateConnectionDto {
  @ApiProperty({ example: 'acronis-eu', maxLength: 100 })
  @IsConnectionName()
  name: string;

  @ApiProperty({ example: 'acronis', description: 'A registered provider kind: acronis or flussonic.' })
  @IsString()
  @MaxLength(32)
  provider: string;

  @ApiProperty({
    example: 'https://eu2-cloud.acronis.com',
    description:
      'Absolute http(s) URL; no credentials, query or fragment; https only in production unless UPSTREAM_ALLOW_HTTP ' +
      '(400 invalid_base_url). The credential is bound to its origin (scheme, host, port). A host that resolves to an ' +
      'address the egress policy refuses (loopback, private, link-local, … outside UPSTREAM_ALLOWED_NETWORKS) answers ' +
      '400 upstream_address_not_allowed.',
  })
  @IsString()
  @MaxLength(2048)
  base_url: string;

  /** Validated by the provider (acronis: allowed_target_uris, default_target_uri; flussonic: default_session_lifetime, token_ttl). */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { allowed_target_uris: ['https://eu2-cloud.acronis.com/ui'] },
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({
    minimum: LAUNCH_EXPIRY_BOUNDS.min,
    maximum: LAUNCH_EXPIRY_BOUNDS.max,
    example: 900,
    description:
      "Default lifetime in seconds of this connection's launch links (a request's expires_in still wins). Absent: LAUNCH_LINK_TTL_SECONDS.",
  })
  @IsOptional()
  @IsInt()
  @Min(LAUNCH_EXPIRY_BOUNDS.min)
  @Max(LAUNCH_EXPIRY_BOUNDS.max)
  launch_expires_in?: number;

  @ApiPropertyOptional({
    type: ConnectionPolicyDto,
    description:
      'Who may get a link through this connection and on what terms; absent: everyone, no reason, no per-subject limit.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConnectionPolicyDto)
  policy?: ConnectionPolicyDto;

  @ApiPropertyOptional({
    enum: LAUNCH_CONFIRMATIONS,
    default: 'auto',
    description:
      "How a launch link's continue page redeems: auto (a script submits it at once) or click (only the person's click on the button does).",
  })
  @IsOptional()
  @IsIn(LAUNCH_CONFIRMATIONS)
  launch_confirmation?: LaunchConfirmation;

  /** Write-only. acronis: {client_id, client_secret} or {bearer_token}; flussonic: {api_key, auth_mode?}. */
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    writeOnly: true,
    example: { client_id: 'c0ffee', client_secret: '…' },
  })
  @IsObject()
  credentials: Record<string, unknown>;
}
