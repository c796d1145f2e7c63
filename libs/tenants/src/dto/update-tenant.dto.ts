import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { TENANT_STATUSES, TenantStatus } from '../entities/tenant.entity';
import { trimString } from './create-tenant.dto';

export class UpdateTenantDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Acme Corporation' })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    enum: TENANT_STATUSES,
    example: 'suspended',
    description: 'A suspended tenant gets no login links.',
  })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10_000_000,
    example: 600,
    description: "Requests per minute for all of the tenant's keys together; null restores the broker default.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  rate_limit_per_minute?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 30,
    maximum: 86_400,
    example: 900,
    description:
      "Ceiling in seconds on the lifetime of this tenant's launch links: a request asking for more is refused (400 launch_expiry_too_long), a connection's longer default is shortened to it. null removes the ceiling.",
  })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(86_400)
  max_launch_expires_in?: number | null;
}
