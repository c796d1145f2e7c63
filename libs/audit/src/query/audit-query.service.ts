import { Injectable } from '@nestjs/common';
import {
  decodeCursor,
  encodeCursor,
  isCursorInstant,
  isUuid,
  type Page,
  type TenantSelection,
  toPage,
} from '@app/common';
import type { AuditEventDto } from '../dto/audit-event.dto';
import type { ListAuditEventsQueryDto } from '../dto/list-audit-events-query.dto';
import type { EventCursor } from '../store/audit-event-filter.sql';
import { AuditStore } from '../store/audit.store';
import { toAuditEventDto } from './audit-event.mapper';

function isEventCursor(value: Record<string, unknown>): value is EventCursor & Record<string, string> {
  return isCursorInstant(value.t) && isUuid(value.id);
}

@Injectable()
export class AuditQueryService {
  constructor(private readonly store: AuditStore) {}

  /** Newest first, keyset-paginated; the cursor only positions within the caller's selection. */
  async list(selection: TenantSelection, query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isEventCursor);
    const rows = await this.store.list(selection, query, after, query.limit + 1);
    return toPage(rows, query.limit, toAuditEventDto, (row) =>
      encodeCursor({ t: row.occurred_at.toISOString(), id: row.id }),
    );
  }
}
