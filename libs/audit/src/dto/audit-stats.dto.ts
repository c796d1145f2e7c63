import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

export const STATS_WINDOWS = ['24h', '30d'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

export class AuditStatsQueryDto {
  @ApiPropertyOptional({
    enum: STATS_WINDOWS,
    default: '24h',
    description: '24h: 24 hourly buckets ending with the current hour; 30d: 30 daily buckets ending today (UTC).',
  })
  @IsOptional()
  @IsIn(STATS_WINDOWS)
  window?: StatsWindow;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Only this tenant. A tenant-bound auditor is always limited to its own tenant; naming another answers 404.',
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}

export class IssuanceCountsDto {
  @ApiProperty({ description: 'login_link.issued events.' })
  issued!: number;

  @ApiProperty({ description: 'login_link.failed events (at issuance or at redemption).' })
  failed!: number;

  @ApiProperty({ description: 'login_link.redeemed events.' })
  redeemed!: number;
}

export class ProviderIssuanceCountsDto extends IssuanceCountsDto {
  @ApiProperty({ description: 'The provider kind (acronis, flussonic), or "unknown" for events without one.' })
  provider!: string;
}

export class IssuanceBucketDto extends IssuanceCountsDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the hour or day (UTC).' })
  start!: string;

  @ApiProperty({
    type: [ProviderIssuanceCountsDto],
    description: 'The same counts per provider (providers with events in the window).',
  })
  providers!: ProviderIssuanceCountsDto[];
}

export class AuditStatsDto {
  @ApiProperty({ enum: STATS_WINDOWS })
  window!: StatsWindow;

  @ApiProperty({ enum: ['hour', 'day'] })
  bucket!: 'hour' | 'day';

  @ApiProperty({ format: 'date-time', description: 'Start of the first bucket (inclusive).' })
  from!: string;

  @ApiProperty({ type: [String], description: 'Every provider with events in the window, sorted.' })
  providers!: string[];

  @ApiProperty({ type: IssuanceCountsDto, description: 'Sums over the window.' })
  totals!: IssuanceCountsDto;

  @ApiProperty({ type: [IssuanceBucketDto], description: 'Every bucket of the window, oldest first, zeros included.' })
  buckets!: IssuanceBucketDto[];
}
