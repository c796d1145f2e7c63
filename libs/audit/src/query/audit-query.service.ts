import { Injectable } from '@nestjs/common';
import {
  decodeCursor,
  encodeCursor,
  isAllTenants,
  isCursorInstant,
  isUuid,
  type TenantSelection,
  toPage,
} from '@app/common';
import type { AuditEventDto, AuditEventPageDto } from '../dto/audit-event.dto';
import type { ListAuditEventsQueryDto } from '../dto/list-audit-events-query.dto';
import { orderOf, type EventCursor } from '../store/audit-event-filter.sql';
import { AuditStore, type StoredAuditEvent } from '../store/audit.store';
import { toAuditEventDto } from './audit-event.mapper';

const isTimeCursor = (value: Record<string, unknown>): value is { t: string; id: string } =>
  isCursorInstant(value.t) && isUuid(value.id);

const isSeqCursor = (value: Record<string, unknown>): value is { s: string } =>
  typeof value.s === 'string' && /^[1-9]\d{0,17}$/.test(value.s);

@Injectable()
export class AuditQueryService {
  constructor(private readonly store: AuditStore) {}

  /**
   * Newest first (or oldest first by seq within one tenant), keyset-paginated; the cursor only
   * positions within the caller's selection, and a cursor of the other order is refused.
   */
  async list(selection: TenantSelection, query: ListAuditEventsQueryDto): Promise<AuditEventPageDto> {
    const bySeq = orderOf(query) === 'asc';
    let after: EventCursor | undefined;
    if (query.cursor !== undefined)
      after = bySeq ? decodeCursor(query.cursor, isSeqCursor) : decodeCursor(query.cursor, isTimeCursor);
    const rows = await this.store.list(selection, query, after, query.limit + 1);
    const page = toPage<StoredAuditEvent, AuditEventDto>(rows, query.limit, toAuditEventDto, (row) =>
      bySeq ? encodeCursor({ s: row.seq }) : encodeCursor({ t: row.occurred_at.toISOString(), id: row.id }),
    );
    return { ...page, next_after_seq: isAllTenants(selection) ? null : greatestSeq(page.data, query.after_seq) };
  }
}

function greatestSeq(events: readonly AuditEventDto[], afterSeq: string | undefined): string | null {
  let greatest: number | null = null;
  for (const event of events) if (greatest === null || event.seq > greatest) greatest = event.seq;
  return greatest === null ? (afterSeq ?? null) : String(greatest);
}
