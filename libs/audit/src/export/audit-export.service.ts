import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { isAllTenants, type TenantSelection } from '@app/common';
import type { ExportAuditEventsQueryDto, ExportFormat } from '../dto/export-audit-events-query.dto';
import { EXPORT_CONTENT_TYPES } from '../store/audit-export.sql';
import { AuditLongReadStore } from '../store/audit-long-reads.store';

export interface AuditExport {
  filename: string;
  contentType: string;
  /**
   * With a tenant: the greatest seq the file holds (else the after_seq asked for, or 0), for the
   * `X-Next-After-Seq` header; null across tenants.
   */
  nextAfterSeq: string | null;
  /** Streams every matching event into `out`, then releases the database connection. */
  pipeTo(out: Writable): Promise<void>;
}

@Injectable()
export class AuditExportService {
  constructor(private readonly store: AuditLongReadStore) {}

  async open(selection: TenantSelection, query: ExportAuditEventsQueryDto): Promise<AuditExport> {
    const opened = await this.store.openExport(selection, query, query.format);
    return {
      filename: exportFilename(selection, query.format),
      contentType: EXPORT_CONTENT_TYPES[query.format],
      nextAfterSeq: opened.nextAfterSeq,
      pipeTo: (out) => opened.pipeTo(out),
    };
  }
}

function exportFilename(selection: TenantSelection, format: ExportFormat): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `audit-events-${isAllTenants(selection) ? 'all' : selection.tenantId}-${stamp}.${format}`;
}
