import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsConnectionName } from './connection-name';

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
}
