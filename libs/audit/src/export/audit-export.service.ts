import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/common';
import { dedicatedClient } from '../dedicated-client';
import type { ExportAuditEventsQueryDto, ExportFormat } from '../dto/export-audit-events-query.dto';
import { auditEventFilterSql, settingName, settingPlaceholder } from '../query/audit-event-filter.sql';
import { auditScopeOf } from '../query/audit-scope';
import { EXPORT_CONTENT_TYPES, exportCopySql } from './audit-export.format';

export interface AuditExport {
  filename: string;
  contentType: string;
  /** Streams every matching event into `out`, then releases the database connection. */
  pipeTo(out: Writable): Promise<void>;
}

@Injectable()
export class AuditExportService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Checks the scope and opens a snapshot before anything is written, so refusals and database
   * errors still become problem+json answers. The read is one REPEATABLE READ snapshot: the file
   * is a consistent cut even while events keep arriving.
   */
  async open(principal: Principal, query: ExportAuditEventsQueryDto): Promise<AuditExport> {
    const tenant = auditScopeOf(principal, query.tenant_id);
    const client = await dedicatedClient(this.dataSource);
    let sql: string;
    try {
      sql = await prepareExport(client, query, tenant);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return {
      filename: exportFilename(tenant, query.format),
      contentType: EXPORT_CONTENT_TYPES[query.format],
      pipeTo: (out) => streamExport(client, sql, out),
    };
  }
}

/**
 * Opens the snapshot and hands the filter values to the COPY statement as transaction-local
 * settings, set through bind parameters (COPY itself takes none): no value is spliced into SQL.
 */
export async function prepareExport(
  client: PoolClient,
  query: ExportAuditEventsQueryDto,
  tenant: string | undefined,
): Promise<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // An export of millions of rows outlives the pool's 15 s statement timeout; a stalled
  // reader is still cut off by the idle-in-transaction timeout.
  await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = '5min'");
  const { where, params } = auditEventFilterSql(query, tenant, undefined, settingPlaceholder);
  if (params.length > 0) {
    const settings = params.map((_, i) => `set_config('${settingName(i + 1)}', $${i + 1}, true)`).join(', ');
    await client.query(
      `SELECT ${settings}`,
      params.map((value) => (value instanceof Date ? value.toISOString() : String(value))),
    );
  }
  return exportCopySql(query.format, where);
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

function exportFilename(tenant: string | undefined, format: ExportFormat): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `audit-events-${tenant ?? 'all'}-${stamp}.${format}`;
}
