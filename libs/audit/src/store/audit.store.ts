import { isAllTenants, type TenantSelection } from '@app/common';
import { namedStatement, queryNamed } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoredChainedEvent } from '../chain/chained-event';
import type { AuditEventFiltersDto } from '../dto/audit-event-filters.dto';
import { appendEventSql } from './append-event.sql';
import { type EventCursor, listEventsSql } from './audit-event-filter.sql';
import { companionParams, type CompanionWrite } from './companion-write';

/** Row values of one event in the order of appendEventSql's $2..$19 ($1, the id, is the store's). */
export type EventValues = readonly unknown[];

export interface AppendedEvent {
  id: string;
  seq: string;
  occurred_at: Date;
  hash: string;
}

/** One count of issuanceCounts: events of one action and provider in one hour or day. */
export interface IssuanceCountRow {
  start: Date;
  provider: string;
  action: string;
  count: number;
}

/** A stored event as the list reads it: every hashed field, its hash, and its chain. */
export type StoredAuditEvent = StoredChainedEvent & { chain_id: string };

/**
 * The only code that writes `audit_events` and `audit_chain_heads`, and their short reads (the
 * list, the counts). Raw SQL throughout: the append is one statement whose atomicity is the point
 * (docs/architecture.md#raw-sql-or-typeorm). Exports and verifications, which hold a connection
 * as long as their data lasts, are AuditLongReadStore's.
 */
@Injectable()
export class AuditStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one event (and its companion row, if any) in one statement: inside `tx`'s
   * transaction it commits or rolls back with the caller's change; on the bare manager it
   * commits on its own. The chain is the event's tenant (`values[0]`), or the broker-wide one.
   */
  async append(id: string, values: EventValues, tx: EntityManager, companion?: CompanionWrite): Promise<AppendedEvent> {
    const params = [id, ...values, ...(companion ? companionParams(companion) : [])];
    // Named: the append is on every link's path, and planning it afresh cost ~40% of its PostgreSQL CPU.
    const [row] = await queryNamed<Omit<AppendedEvent, 'occurred_at'> & { occurred_at_ms: number }>(
      tx,
      namedStatement('audit_append', appendEventSql(companion)),
      params,
    );
    if (row === undefined) throw new Error('audit_append returned no row');
    // Epoch milliseconds (occurred_at's precision) rather than a timestamptz: pg parses the latter
    // with a regular expression, ~13 µs per link on the development machine.
    return { id: row.id, seq: row.seq, occurred_at: new Date(row.occurred_at_ms), hash: row.hash };
  }

  /** Newest first, `limit` rows after `after` within the selection. */
  list(
    selection: TenantSelection,
    filters: AuditEventFiltersDto,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<StoredAuditEvent[]> {
    const { sql, params } = listEventsSql(filters, selection, after, limit);
    return this.dataSource.query<StoredAuditEvent[]>(sql, params);
  }

  /**
   * Events of `actions` since `from`, counted per UTC hour or day, provider and action, within the
   * selection. Served by the (action, occurred_at) and (tenant_id, action, occurred_at) indexes
   * (docs/audit.md#indexes).
   */
  async issuanceCounts(
    selection: TenantSelection,
    from: Date,
    bucket: 'hour' | 'day',
    actions: readonly string[],
  ): Promise<IssuanceCountRow[]> {
    const params: unknown[] = [bucket, from, actions];
    if (!isAllTenants(selection)) params.push(selection.tenantId);
    const rows = await this.dataSource.query<Array<{ start: Date; provider: string; action: string; count: number }>>(
      `SELECT date_trunc($1, occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start,
              coalesce(provider, 'unknown') AS provider, action, count(*)::int AS count
         FROM audit_events
        WHERE action = ANY($3::text[]) AND occurred_at >= $2${isAllTenants(selection) ? '' : ' AND tenant_id = $4'}
        GROUP BY 1, 2, 3`,
      params,
    );
    return rows;
  }
}
