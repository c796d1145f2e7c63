import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAllTenants, type TenantSelection } from '@app/common';
import { namedStatement, queryNamed } from '@app/database';
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
  type EventCursor,
  listEventsSql,
  requireChainForSeqOrder,
  settingName,
  settingPlaceholder,
} from './audit-event-filter.sql';
import { exportCopySql } from './audit-export.sql';
import { NdjsonLines } from './ndjson-lines';
import { companionParams, type CompanionWrite } from './companion-write';
import { dedicatedClient } from './dedicated-client';
import { verifyChain, type ChainCheckVerdict, type VerifyChainOptions } from './verify-chain';

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

/** A filtered export, ready to stream; the snapshot is open until `pipeTo` ends. */
export interface OpenExport {
  /** With a tenant: the greatest seq the file holds (else the request's after_seq, or 0). */
  nextAfterSeq: string | null;
  pipeTo(out: Writable): Promise<void>;
}

export interface PreparedExport {
  sql: string;
  nextAfterSeq: string | null;
}

/** A stored event as the list reads it: every hashed field, its hash, and its chain. */
export type StoredAuditEvent = StoredChainedEvent & { chain_id: string };

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
    let prepared: PreparedExport;
    try {
      prepared = await prepareExport(client, filters, selection, format);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return {
      nextAfterSeq: prepared.nextAfterSeq,
      pipeTo: (out) => streamExport(client, prepared.sql, format, out),
    };
  }

  /** Recomputes one chain from the database, streaming, with its stored checkpoints; see verifyChain. */
  async verify(
    chain: AuditChain,
    keys: readonly NoteVerifierKey[],
    external: VerifyChainOptions['external'] = [],
  ): Promise<ChainCheckVerdict> {
    const client = await dedicatedClient(this.dataSource);
    let failed: Error | undefined;
    try {
      return await verifyChain(client, chainIdOf(chain), { keys, external });
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
): Promise<PreparedExport> {
  requireChainForSeqOrder(filters, selection);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // An export of millions of rows outlives the pool's 15 s statement timeout; a stalled
  // reader is still cut off by the idle-in-transaction timeout.
  await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = '5min'");
  let nextAfterSeq: string | null = null;
  if (!isAllTenants(selection)) {
    // In the export's snapshot: the last seq the file will hold, found through (chain_id, seq).
    const bySeq = auditEventFilterSql({ ...filters, order: 'asc' }, selection);
    const [{ max }] = (
      await client.query<{ max: string | null }>(
        `SELECT max(audit_events.seq)::text AS max FROM audit_events ${bySeq.where}`,
        bySeq.params,
      )
    ).rows;
    nextAfterSeq = max ?? filters.after_seq ?? '0';
  }
  const { where, params, order } = auditEventFilterSql(filters, selection, undefined, settingPlaceholder);
  if (params.length > 0) {
    const settings = params.map((_, i) => `set_config('${settingName(i + 1)}', $${i + 1}, true)`).join(', ');
    await client.query(
      `SELECT ${settings}`,
      params.map((value) => (value instanceof Date ? value.toISOString() : String(value))),
    );
  }
  return { sql: exportCopySql(format, where, order), nextAfterSeq };
}

export async function streamExport(
  client: PoolClient,
  sql: string,
  format: ExportFormat,
  out: Writable,
): Promise<void> {
  try {
    if (format === 'ndjson') await pipeline(client.query(copyTo(sql)), new NdjsonLines(), out);
    else await pipeline(client.query(copyTo(sql)), out);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // The copy may be half read (client gone): discard the connection rather than reuse it.
    client.release(error instanceof Error ? error : new Error('export aborted'));
    throw error;
  }
}
