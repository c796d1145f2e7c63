import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const SESSION_LIFETIME_BOUNDS = { min: 60, max: 30 * 24 * 3600 };

/** The `settings` of a flussonic connection. */
export class FlussonicSettingsDto {
  /** Seconds the Watcher session opened by auto-login lasts, when the request names none. */
  @ApiPropertyOptional({
    minimum: SESSION_LIFETIME_BOUNDS.min,
    maximum: SESSION_LIFETIME_BOUNDS.max,
    description: 'Seconds the Watcher session lasts when the request names none.',
  })
  @IsOptional()
  @IsInt()
  @Min(SESSION_LIFETIME_BOUNDS.min)
  @Max(SESSION_LIFETIME_BOUNDS.max)
  default_session_lifetime?: number;

  /** Seconds the autologin token stays valid (valid_till = now + token_ttl). */
  @ApiPropertyOptional({ minimum: 10, maximum: 3600, description: 'Seconds the auto-login token stays valid.' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  token_ttl?: number;
}

export type FlussonicSettings = FlussonicSettingsDto;
