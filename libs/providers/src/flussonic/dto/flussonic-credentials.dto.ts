import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export const FLUSSONIC_AUTH_MODES = ['legacy', 'v2'] as const;
export type FlussonicAuthMode = (typeof FLUSSONIC_AUTH_MODES)[number];

/** The `credentials` of a flussonic connection. */
export class FlussonicCredentialsDto {
  @ApiProperty({ maxLength: 512, description: 'The Watcher API key (write-only).', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  api_key: string;

  /**
   * legacy: salted md5 admin token to /vsaas/api (docs/providers/flussonic.md#admin-token);
   * v2: the plain key to /vsaas/api/v2 (docs/providers/flussonic.md#v2-system-key).
   */
  @ApiPropertyOptional({
    enum: FLUSSONIC_AUTH_MODES,
    default: 'legacy',
    description: 'legacy: salted admin token to /vsaas/api; v2: the plain key to /vsaas/api/v2.',
  })
  @IsOptional()
  @IsIn(FLUSSONIC_AUTH_MODES)
  auth_mode?: FlussonicAuthMode;
}

export interface FlussonicCredentials {
  api_key: string;
  auth_mode: FlussonicAuthMode;
}
