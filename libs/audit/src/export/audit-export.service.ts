import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/common';
import { dedicatedClient } from '../dedicated-client';
import type { ExportAuditEventsQueryDto, ExportFormat } from '../dto/export-audit-events-query.dto';
import { auditEventFilterSql, EVENT_COLUMNS_SQL, EVENT_ORDER_SQL } from '../query/audit-event-filter.sql';
import { auditScopeOf } from '../query/audit-scope';
import { EXPORT_CONTENT_TYPES, exportFormatter } from './audit-export.format';

export interface AuditExport {
  filename: string;
  contentType: string;
  /** Streams every matching event into `out`, then releases the database connection. */
  pipeTo(out: Writable): Promise<void>;
}

/** Rows fetched per round trip from the server-side cursor: memory stays at one batch. */
const BATCH_SIZE = 1000;

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
    const { where, params } = auditEventFilterSql(query, tenant);
    const client = await dedicatedClient(this.dataSource);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // An export of millions of rows outlives the pool's 15 s statement timeout; a stalled
      // reader is still cut off by the idle-in-transaction timeout.
      await client.query("SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = '5min'");
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    const sql = `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events ${where} ${EVENT_ORDER_SQL}`;
    return {
      filename: exportFilename(tenant, query.format),
      contentType: EXPORT_CONTENT_TYPES[query.format],
      pipeTo: (out) => streamRows(client, sql, params, query.format, out),
    };
  }
}

async function streamRows(client: PoolClient, sql: string, params: unknown[], format: ExportFormat, out: Writable): Promise<void> {
  try {
    await pipeline(client.query(new QueryStream(sql, params, { batchSize: BATCH_SIZE })), exportFormatter(format), out);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    // The cursor may be half read (client gone): discard the connection rather than reuse it.
    client.release(error instanceof Error ? error : new Error('export aborted'));
    throw error;
  }
}

function exportFilename(tenant: string | undefined, format: ExportFormat): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `audit-events-${tenant ?? 'all'}-${stamp}.${format}`;
}
