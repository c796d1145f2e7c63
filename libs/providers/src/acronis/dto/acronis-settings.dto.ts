import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsUrl, MaxLength } from 'class-validator';
import { HTTP_URL_OPTIONS } from '../../http-url';

/** The `settings` of an acronis connection. */
export class AcronisSettingsDto {
  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    description: 'Absolute http(s) URLs a login link may land on (its target_uri).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @MaxLength(2048, { each: true })
  @IsUrl(HTTP_URL_OPTIONS, { each: true, message: 'each value in allowed_target_uris must be an absolute http(s) URL' })
  allowed_target_uris?: string[];

  /** Must also appear in allowed_target_uris. */
  @ApiPropertyOptional({
    maxLength: 2048,
    description: 'Where a link lands when the request names no target_uri; must be one of allowed_target_uris.',
  })
  @IsOptional()
  @MaxLength(2048)
  @IsUrl(HTTP_URL_OPTIONS, { message: 'default_target_uri must be an absolute http(s) URL' })
  default_target_uri?: string;
}

export interface AcronisSettings {
  allowed_target_uris: string[];
  default_target_uri?: string;
}
