import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAllTenants, type TenantSelection } from '@app/common';
import { LongReadPool, LongReadsBusyError } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { AuditReadsBusyException } from '../audit.exception';
import type { NoteVerifierKey } from '../checkpoints/signed-note';
import type { AuditEventFiltersDto } from '../dto/audit-event-filters.dto';
import type { ExportFormat } from '../dto/export-audit-events-query.dto';
import { chainIdOf, type AuditChain } from './audit-chain';
import {
  auditEventFilterSql,
  requireChainForSeqOrder,
  settingName,
  settingPlaceholder,
} from './audit-event-filter.sql';
import { exportCopySql } from './audit-export.sql';
import { NdjsonLines } from './ndjson-lines';
import { verifyChain, type ChainCheckVerdict, type VerifyChainOptions } from './verify-chain';

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

/**
 * The reads of `audit_events` that last as long as their data: exports (COPY) and chain
 * verifications (server-side cursors). Each holds one connection of the long-read pool from its
 * first statement to its last, never one of the pool links use (docs/architecture.md#long-reads).
 */
@Injectable()
export class AuditLongReadStore {
  constructor(private readonly longReads: LongReadPool) {}

  /**
   * Opens one REPEATABLE READ snapshot before anything is written, so refusals and database
   * errors still become problem+json answers; the file is a consistent cut while events arrive.
   */
  async openExport(
    selection: TenantSelection,
    filters: AuditEventFiltersDto,
    format: ExportFormat,
  ): Promise<OpenExport> {
    const client = await this.connect();
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
    const client = await this.connect();
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

  private async connect(): Promise<PoolClient> {
    try {
      return await this.longReads.connect();
    } catch (error) {
      if (error instanceof LongReadsBusyError) throw new AuditReadsBusyException(error);
      throw error;
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
