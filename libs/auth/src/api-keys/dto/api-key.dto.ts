import { API_KEY_ROLES, ApiKeyRole } from '@app/common';
import { ApiProperty, PickType } from '@nestjs/swagger';

const ISO_EXAMPLE = '2026-11-23T10:00:00.000Z';

/** A key as listed: never its text nor its hash. */
export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' })
  id: string;

  @ApiProperty({ description: 'The first 12 characters of the key, to recognise it.', example: 'sbk_p_Q2x8vF' })
  prefix: string;

  @ApiProperty({ example: 'Customer portal (production)' })
  name: string;

  @ApiProperty({ enum: API_KEY_ROLES, example: 'portal' })
  role: ApiKeyRole;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  tenant_id: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expires_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revoked_at: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Updated at most about once a minute.',
    example: ISO_EXAMPLE,
  })
  last_used_at: string | null;

  @ApiProperty({ format: 'date-time', example: ISO_EXAMPLE })
  created_at: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  data: ApiKeyDto[];

  @ApiProperty({ type: String, nullable: true, example: null })
  next_cursor: string | null;
}

/** The creation answer (docs/api.md#api-keys): the only place the key text ever appears. */
export class CreatedApiKeyDto extends PickType(ApiKeyDto, [
  'id',
  'prefix',
  'name',
  'role',
  'tenant_id',
  'expires_at',
  'created_at',
] as const) {
  @ApiProperty({
    description: 'The key itself. Shown once: store it now, it cannot be retrieved again.',
    example: 'sbk_p_Q2x8vF0dJ3kVh1nWmY5rZc7tB9aLqE6uS4oXpG2iK8j',
  })
  key: string;
}
