import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { TENANT_SLUG_PATTERN } from '../tenant-slug';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTenantDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Corp' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({
    description:
      'Lowercase letters, digits and inner dashes, at most 63 characters. Derived from the name when absent.',
    pattern: TENANT_SLUG_PATTERN.source,
    example: 'acme-corp',
  })
  @IsOptional()
  @IsString()
  @Matches(TENANT_SLUG_PATTERN, { message: 'slug must be 1-63 lowercase letters, digits or inner dashes' })
  slug?: string;
}

export { trim as trimString };
