import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, Validate, ValidateNested,
} from 'class-validator';
import { ExactlyOneIdentifier } from './exactly-one-identifier.validator';
import { LoginLinkUserDto } from './login-link-user.dto';

export const LINK_DELIVERIES = ['direct', 'launch'] as const;
export const LAUNCH_EXPIRY_BOUNDS = { min: 30, max: 24 * 3600 };

export class CreateLoginLinkDto {
  @ApiProperty({ description: 'Connection name or id, within the tenant.', example: 'acronis-eu' })
  @IsString() @IsNotEmpty() @MaxLength(200)
  connection!: string;

  @ApiPropertyOptional({ description: 'Required for admin keys; a portal key may only name its own tenant.' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiProperty({ type: LoginLinkUserDto })
  @IsDefined() @ValidateNested() @Type(() => LoginLinkUserDto) @Validate(ExactlyOneIdentifier)
  user!: LoginLinkUserDto;

  @ApiPropertyOptional({ description: "Checked against the connection's allow-list." })
  @IsOptional() @IsString() @MaxLength(2048)
  target_uri?: string;

  @ApiPropertyOptional({ enum: LINK_DELIVERIES, default: 'direct' })
  @IsOptional() @IsIn(LINK_DELIVERIES)
  delivery?: (typeof LINK_DELIVERIES)[number];

  @ApiPropertyOptional({ description: 'Upstream session length in seconds, where the provider supports it.' })
  @IsOptional() @IsInt()
  session_lifetime?: number;

  @ApiPropertyOptional({ description: 'Launch links: seconds until the link expires (default 300, at most 86400).' })
  @IsOptional() @IsInt() @Min(LAUNCH_EXPIRY_BOUNDS.min) @Max(LAUNCH_EXPIRY_BOUNDS.max)
  expires_in?: number;
}
