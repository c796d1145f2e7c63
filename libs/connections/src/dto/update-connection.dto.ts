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

/** The provider kind cannot change; credentials change through PUT .../credentials. */
export class UpdateConnectionDto {
  @ApiPropertyOptional({ example: 'acronis-eu' })
  @IsOptional()
  @IsConnectionName()
  name?: string;

  @ApiPropertyOptional({ example: 'https://eu2-cloud.acronis.com' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  base_url?: string;

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
