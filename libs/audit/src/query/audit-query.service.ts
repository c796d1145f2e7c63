import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, isCursorInstant, isUuid, Page, Principal, toPage } from '@app/common';
import type { StoredChainedEvent } from '../chain/chained-event';
import type { AuditEventDto } from '../dto/audit-event.dto';
import type { ListAuditEventsQueryDto } from '../dto/list-audit-events-query.dto';
import { auditEventFilterSql, EVENT_COLUMNS_SQL, EVENT_ORDER_SQL, EventCursor } from './audit-event-filter.sql';
import { toAuditEventDto } from './audit-event.mapper';
import { auditScopeOf } from './audit-scope';

function isEventCursor(value: Record<string, unknown>): value is EventCursor & Record<string, string> {
  return isCursorInstant(value.t) && isUuid(value.id);
}

@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first, keyset-paginated; the cursor only positions within the caller's scope. */
  async list(principal: Principal, query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    const tenant = auditScopeOf(principal, query.tenant_id);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isEventCursor);
    const { where, params } = auditEventFilterSql(query, tenant, after);
    params.push(query.limit + 1);
    const rows = await this.dataSource.query<StoredChainedEvent[]>(
      `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events ${where} ${EVENT_ORDER_SQL} LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, toAuditEventDto, (row) =>
      encodeCursor({ t: row.occurred_at.toISOString(), id: row.id }),
    );
  }
}
