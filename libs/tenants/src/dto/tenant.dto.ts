import { ApiProperty } from '@nestjs/swagger';
import { TENANT_STATUSES, TenantStatus } from '../entities/tenant.entity';

export class TenantDto {
  @ApiProperty({ format: 'uuid', example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  id: string;

  @ApiProperty({ example: 'acme-corp' })
  slug: string;

  @ApiProperty({ example: 'Acme Corp' })
  name: string;

  @ApiProperty({ enum: TENANT_STATUSES, example: 'active' })
  status: TenantStatus;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Requests per minute for the whole tenant; null: the broker default.',
  })
  rate_limit_per_minute: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: "Ceiling in seconds on the lifetime of the tenant's launch links; null: none (24 h at most).",
  })
  max_launch_expires_in: number | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T10:00:00.000Z' })
  updated_at: string;
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantDto] })
  data: TenantDto[];

  @ApiProperty({ type: String, nullable: true, example: 'eyJ0IjoiMjAyNi0xMS0yM1QxMDowMDowMC4wMDBaIiwiaWQiOiIwZjhmIn0' })
  next_cursor: string | null;
}
