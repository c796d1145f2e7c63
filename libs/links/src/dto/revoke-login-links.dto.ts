import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsUUID, Validate, ValidateNested } from 'class-validator';
import { ExactlyOneIdentifier } from './exactly-one-identifier.validator';
import { LoginLinkUserDto } from './login-link-user.dto';

/** POST /v1/tenants/{tenant_id}/login-links/revoke: without filters, every outstanding launch link. */
export class RevokeLoginLinksDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this connection's links." })
  @IsOptional()
  @IsUUID()
  connection_id?: string;

  @ApiPropertyOptional({
    type: LoginLinkUserDto,
    description:
      'Only links for this user: exactly one of login (case-insensitive), user_id (case-insensitive) or external_id.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => LoginLinkUserDto)
  @Validate(ExactlyOneIdentifier)
  user?: LoginLinkUserDto;
}

export class RevokeLoginLinksResultDto {
  @ApiProperty({ example: 3, description: 'Outstanding launch links revoked by this request.' })
  revoked!: number;
}
