import { API_KEY_ROLES, ApiKeyRole } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Customer portal (production)' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: API_KEY_ROLES, example: 'portal' })
  @IsIn(API_KEY_ROLES)
  role: ApiKeyRole;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Required for portal keys, optional for auditor keys (limits them to one tenant), forbidden for admin keys.',
    example: '0f8fad5b-d9cb-469f-a165-70867728950e',
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Must be in the future. Absent: the key does not expire.',
    example: '2027-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}
