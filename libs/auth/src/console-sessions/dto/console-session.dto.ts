import { API_KEY_ROLES, type ApiKeyRole } from '@app/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class CreateConsoleSessionDto {
  @ApiProperty({
    description: 'An admin or auditor API key. It is exchanged for a session cookie and never stored in the browser.',
    example: 'sbk_a_…',
  })
  @IsString()
  @MaxLength(200)
  api_key!: string;
}

export class ConsoleSessionDto {
  @ApiProperty({ format: 'uuid', description: 'The API key the session acts as.' })
  key_id!: string;

  @ApiProperty()
  key_name!: string;

  @ApiProperty({ enum: API_KEY_ROLES, description: 'admin or auditor (portal keys cannot sign in).' })
  role!: ApiKeyRole;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The tenant the key is bound to; null: every tenant.',
  })
  tenant_id!: string | null;

  @ApiProperty({
    format: 'date-time',
    description: 'When the session ends at the latest (CONSOLE_SESSION_MAX_HOURS after sign-in).',
  })
  expires_at!: string;

  @ApiProperty({
    description: 'Minutes without a request after which the session ends (CONSOLE_SESSION_IDLE_MINUTES).',
  })
  idle_timeout_minutes!: number;

  @ApiProperty({
    description: 'Send it as X-CSRF-Token on every POST, PATCH, PUT and DELETE made with the session cookie.',
  })
  csrf_token!: string;
}
