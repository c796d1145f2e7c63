import { IntersectionType } from '@nestjs/swagger';
import { PageQueryDto } from '@app/common';
import { AuditEventFiltersDto } from './audit-event-filters.dto';

/** The export/verify filters plus the list's `limit` and `cursor`. */
export class ListAuditEventsQueryDto extends IntersectionType(AuditEventFiltersDto, PageQueryDto) {}
