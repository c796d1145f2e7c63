import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateNested,
} from 'class-validator';
import { LAUNCH_EXPIRY_BOUNDS } from '@app/connections';
import { ExactlyOneIdentifier } from './exactly-one-identifier.validator';
import { LoginLinkUserDto } from './login-link-user.dto';

export const LINK_DELIVERIES = ['direct', 'launch'] as const;

export class CreateLoginLinkDto {
  @ApiProperty({ description: 'Connection name or id, within the tenant.', example: 'acronis-eu' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  connection!: string;

  @ApiPropertyOptional({ description: 'Required for admin keys; a portal key may only name its own tenant.' })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @ApiProperty({ type: LoginLinkUserDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => LoginLinkUserDto)
  @Validate(ExactlyOneIdentifier)
  user!: LoginLinkUserDto;

  @ApiPropertyOptional({ description: "Checked against the connection's allow-list." })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  target_uri?: string;

  @ApiPropertyOptional({ enum: LINK_DELIVERIES, default: 'direct' })
  @IsOptional()
  @IsIn(LINK_DELIVERIES)
  delivery?: (typeof LINK_DELIVERIES)[number];

  @ApiPropertyOptional({ description: 'Upstream session length in seconds, where the provider supports it.' })
  @IsOptional()
  @IsInt()
  session_lifetime?: number;

  @ApiPropertyOptional({
    description:
      "Launch links: seconds until the link expires (30 to 86400; default: the connection's launch_expires_in, else LAUNCH_LINK_TTL_SECONDS, 300).",
  })
  @IsOptional()
  @IsInt()
  @Min(LAUNCH_EXPIRY_BOUNDS.min)
  @Max(LAUNCH_EXPIRY_BOUNDS.max)
  expires_in?: number;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 500,
    example: 'TICKET-4711',
    description:
      "Why this link is issued (e.g. a ticket id); recorded in the audit event. Required when the connection's policy has require_reason.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
