import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { AuditEventFiltersDto } from './audit-event-filters.dto';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportAuditEventsQueryDto extends AuditEventFiltersDto {
  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat;
}
