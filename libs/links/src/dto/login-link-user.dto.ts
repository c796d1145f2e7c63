import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Exactly one identifier: enforced on the parent property (see CreateLoginLinkDto.user). */
export class LoginLinkUserDto {
  @ApiPropertyOptional({ example: 'alice@customer-a.example' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  login?: string;

  @ApiPropertyOptional({ description: 'Upstream user id (Acronis UUID).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  user_id?: string;

  @ApiPropertyOptional({ description: 'Identity-provider user id (Acronis external_id).' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  external_id?: string;
}
