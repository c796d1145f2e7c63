import { isAllTenants, type TenantSelection } from '@app/common';
import { namedStatement, pgArrayColumns, pgErrorCode, queryNamed } from '@app/database';
import { getOrCreateHistogram } from '@app/observability';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoredChainedEvent } from '../chain/chained-event';
import type { AuditEventFiltersDto } from '../dto/audit-event-filters.dto';
import { appendBatchSql, appendEventSql, shapeOf } from './append-event.sql';
import { AppendBatcher, type PendingAppend } from './append-batcher';
import { type EventCursor, listEventsSql } from './audit-event-filter.sql';
import { type CompanionWrite, pushCompanionParams } from './companion-write';

/** Row values of one event in the order of appendEventSql's $2..$19 ($1, the id, is the store's). */
export type EventValues = readonly unknown[];

export interface AppendedEvent {
  id: string;
  seq: string;
  occurred_at: Date;
  hash: string;
}

/** The batcher's key of the broker-wide chain (a tenant's key is its id). */
const BROKER_CHAIN_KEY = 'broker';

type AppendedRow = Omit<AppendedEvent, 'occurred_at'> & { occurred_at_ms: number };

// Epoch milliseconds (occurred_at's precision) rather than a timestamptz: pg parses the latter
// with a regular expression, ~13 µs per link on the development machine.
function appendedEvent(row: AppendedRow): AppendedEvent {
  return { id: row.id, seq: row.seq, occurred_at: new Date(row.occurred_at_ms), hash: row.hash };
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
  /** Autocommit appends, grouped per chain (docs/architecture.md#audit-group-commit). */
  private readonly batcher = new AppendBatcher<AppendedEvent>((batch) => this.appendStatement(batch), pgErrorCode);
  private readonly eventsPerStatement = getOrCreateHistogram({
    name: 'audit_append_events_per_statement',
    help: 'Events appended by one autocommit statement (group commit: 1 when the chain was idle).',
    buckets: [1, 2, 4, 8, 16, 32],
  });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one event (and its companion rows, if any): inside `tx`'s transaction it commits or
   * rolls back with the caller's change; on the bare manager it commits on its own, possibly in
   * one statement with other events of its chain (AppendBatcher), and answers once committed.
   * The chain is the event's tenant (`values[0]`), or the broker-wide one.
   */
  append(
    id: string,
    values: EventValues,
    tx: EntityManager,
    companions: readonly CompanionWrite[] = [],
  ): Promise<AppendedEvent> {
    const params: unknown[] = [id];
    for (const value of values) params.push(value);
    for (const companion of companions) pushCompanionParams(params, companion);
    if (tx !== this.dataSource.manager) return this.appendOne(tx, params, companions);
    const shape = shapeOf(companions);
    const append: PendingAppend = { shape, batchable: appendBatchSql(companions, shape) !== null, params, companions };
    return this.batcher.append((values[0] as string | null) ?? BROKER_CHAIN_KEY, append);
  }

  /** One statement for the batcher's `batch`: the single append for one event, else the batch statement. */
  private async appendStatement(batch: readonly PendingAppend[]): Promise<AppendedEvent[]> {
    const [first] = batch;
    this.eventsPerStatement.observe(batch.length);
    if (batch.length === 1)
      return [await this.appendOne(this.dataSource.manager, first.params, first.companions, first.shape)];
    const columns = pgArrayColumns(batch.map((append) => append.params));
    const sql = appendBatchSql(first.companions, first.shape);
    if (sql === null) throw new Error('a companion without a batch form was batched');
    const rows = await queryNamed<AppendedRow>(
      this.dataSource.manager,
      namedStatement('audit_append_batch', sql),
      columns,
    );
    return rows.map(appendedEvent);
  }

  private async appendOne(
    tx: EntityManager,
    params: readonly unknown[],
    companions: readonly CompanionWrite[],
    shape = shapeOf(companions),
  ): Promise<AppendedEvent> {
    // Named: the append is on every link's path, and planning it afresh cost ~40% of its PostgreSQL CPU.
    const statement = namedStatement('audit_append', appendEventSql(companions, shape));
    const [row] = await queryNamed<AppendedRow>(tx, statement, params);
    if (row === undefined) throw new Error('audit_append returned no row');
    return appendedEvent(row);
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
