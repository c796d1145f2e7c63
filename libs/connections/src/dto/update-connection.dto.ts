import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsConnectionName } from './connection-name';
import { ConnectionPolicyDto, LAUNCH_CONFIRMATIONS, type LaunchConfirmation } from './connection-policy.dto';
import { LAUNCH_EXPIRY_BOUNDS } from './launch-expiry';

/**
 * The provider kind cannot change. `credentials` replaces the credential (as PUT …/credentials
 * does) and is required when base_url moves to another origin.
 */
export class UpdateConnectionDto {
  @ApiPropertyOptional({ example: 'acronis-eu' })
  @IsOptional()
  @IsConnectionName()
  name?: string;

  @ApiPropertyOptional({
    example: 'https://eu2-cloud.acronis.com',
    description:
      'Absolute http(s) URL; no credentials, query or fragment. A new origin (scheme, host or port) needs `credentials` ' +
      'in the same request (400 credentials_required_for_new_origin); a new path on the same origin does not. ' +
      'Refused with 400 upstream_address_not_allowed when its host resolves to an address the egress policy refuses.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  base_url?: string;

  /** Write-only, validated by the connection's provider; sealed as the next credential version. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    writeOnly: true,
    description:
      "The provider's credential object (as for PUT …/credentials), sealed as the next credential version and bound " +
      'to the (new) origin. Required when base_url changes origin; never returned, logged or audited.',
    example: { client_id: 'c0ffee', client_secret: '…' },
  })
  @IsOptional()
  @IsObject()
  credentials?: Record<string, unknown>;

  /** Replaces the settings as a whole, re-validated by the connection's provider. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  /** null goes back to the broker-wide LAUNCH_LINK_TTL_SECONDS. */
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: LAUNCH_EXPIRY_BOUNDS.min,
    maximum: LAUNCH_EXPIRY_BOUNDS.max,
    example: 900,
  })
  @ValidateIf((patch: UpdateConnectionDto) => patch.launch_expires_in !== null)
  @IsOptional()
  @IsInt()
  @Min(LAUNCH_EXPIRY_BOUNDS.min)
  @Max(LAUNCH_EXPIRY_BOUNDS.max)
  launch_expires_in?: number | null;

  /** Replaces the policy as a whole; `{}` or null removes every rule. */
  @ApiPropertyOptional({ type: ConnectionPolicyDto, nullable: true })
  @ValidateIf((patch: UpdateConnectionDto) => patch.policy !== null)
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConnectionPolicyDto)
  policy?: ConnectionPolicyDto | null;

  @ApiPropertyOptional({ enum: LAUNCH_CONFIRMATIONS })
  @IsOptional()
  @IsIn(LAUNCH_CONFIRMATIONS)
  launch_confirmation?: LaunchConfirmation;
}
