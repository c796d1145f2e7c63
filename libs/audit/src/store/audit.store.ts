import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type TenantSelection } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import type { NoteVerifierKey } from '../checkpoints/signed-note';
import type { StoredChainedEvent } from '../chain/chained-event';
import type { AuditEventFiltersDto } from '../dto/audit-event-filters.dto';
import type { ExportFormat } from '../dto/export-audit-events-query.dto';
import { appendEventSql } from './append-event.sql';
import { chainIdOf, type AuditChain } from './audit-chain';
import {
  auditEventFilterSql,
  EVENT_COLUMNS_SQL,
  EVENT_ORDER_SQL,
  type EventCursor,
  settingName,
  settingPlaceholder,
} from './audit-event-filter.sql';
import { exportCopySql } from './audit-export.sql';
import { companionParams, type CompanionWrite } from './companion-write';
import { dedicatedClient } from './dedicated-client';
import { verifyChain, type ChainCheckVerdict } from './verify-chain';

/** Row values of one event in the order of appendEventSql's $2..$19 ($1, the id, is the store's). */
export type EventValues = readonly unknown[];

export interface AppendedEvent {
  id: string;
  seq: string;
  occurred_at: Date;
  hash: string;
}

/** A filtered export, ready to stream; the snapshot is open until `pipeTo` ends. */
export interface OpenExport {
  pipeTo(out: Writable): Promise<void>;
}

/**
 * The only code that reads or writes `audit_events` and `audit_chain_heads`. Raw SQL throughout:
 * the append is one statement whose atomicity is the point, exports are COPY, verification is a
 * server-side cursor (docs/architecture.md#raw-sql-or-typeorm).
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
    const [row] = await tx.query<AppendedEvent[]>(appendEventSql(companion), params);
    if (row === undefined) throw new Error('audit_append returned no row');
    return row;
  }

  /** Newest first, `limit` rows after `after` within the selection. */
  list(
    selection: TenantSelection,
    filters: AuditEventFiltersDto,
    after: EventCursor | undefined,
    limit: number,
  ): Promise<StoredChainedEvent[]> {
    const { where, params } = auditEventFilterSql(filters, selection, after);
    params.push(limit);
    return this.dataSource.query<StoredChainedEvent[]>(
      `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events ${where} ${EVENT_ORDER_SQL} LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Opens one REPEATABLE READ snapshot before anything is written, so refusals and database
   * errors still become problem+json answers; the file is a consistent cut while events arrive.
   */
  async openExport(
    selection: TenantSelection,
    filters: AuditEventFiltersDto,
    format: ExportFormat,
  ): Promise<OpenExport> {
    const client = await dedicatedClient(this.dataSource);
    let sql: string;
    try {
      sql = await prepareExport(client, filters, selection, format);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return { pipeTo: (out) => streamExport(client, sql, out) };
  }

  /** Recomputes one chain from the database, streaming, with its stored checkpoints; see verifyChain. */
  async verify(chain: AuditChain, keys: readonly NoteVerifierKey[]): Promise<ChainCheckVerdict> {
    const client = await dedicatedClient(this.dataSource);
    let failed: Error | undefined;
    try {
      return await verifyChain(client, chainIdOf(chain), { keys });
    } catch (error) {
      failed = error instanceof Error ? error : new Error('verify failed');
      throw error;
    } finally {
      client.release(failed);
    }
  }
}

/**
 * Opens the snapshot and hands the filter values to the COPY statement as transaction-local
 * settings, set through bind parameters (COPY itself takes none): no value is spliced into SQL.
 */
export async function prepareExport(
  client: PoolClient,
  filters: AuditEventFiltersDto,
  selection: TenantSelection,
  format: ExportFormat,
): Promise<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // An export of millions of rows outlives the pool's 15 s statement timeout; a stalled
  // reader is still cut off by the idle-in-transaction timeout.
  await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = '5min'");
  const { where, params } = auditEventFilterSql(filters, selection, undefined, settingPlaceholder);
  if (params.length > 0) {
    const settings = params.map((_, i) => `set_config('${settingName(i + 1)}', $${i + 1}, true)`).join(', ');
    await client.query(
      `SELECT ${settings}`,
      params.map((value) => (value instanceof Date ? value.toISOString() : String(value))),
    );
  }
  return exportCopySql(format, where);
}

async function streamExport(client: PoolClient, sql: string, out: Writable): Promise<void> {
  try {
    await pipeline(client.query(copyTo(sql)), out);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // The copy may be half read (client gone): discard the connection rather than reuse it.
    client.release(error instanceof Error ? error : new Error('export aborted'));
    throw error;
  }
}
