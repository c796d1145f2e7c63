import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { type TenantSelection } from '@app/common';
import { Auth, CurrentTenants } from '@app/auth';
import {
  AuditChainVerdictDto,
  AuditEventPageDto,
  AuditExportService,
  AuditQueryService,
  AuditVerifyService,
  ExportAuditEventsQueryDto,
  ListAuditEventsQueryDto,
  VerifyAuditChainQueryDto,
} from '@app/audit';

const TENANT_IN_QUERY = { in: 'query', required: false } as const;
/** Exports and verifications take a connection of the long-read pool (docs/architecture.md#long-reads). */
const LONG_READ_BUSY = {
  description:
    'audit_reads_busy (every connection for exports and verifications stayed in use for 5 s; Retry-After: 5) or database_unavailable: nothing was read',
};
const SCOPE_NOTE =
  'A tenant-bound auditor only ever sees its own tenant; naming another tenant answers 404 tenant_not_found.';

@ApiTags('audit')
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly exporter: AuditExportService,
    private readonly verifier: AuditVerifyService,
  ) {}

  @Get()
  @Auth({ roles: ['admin', 'auditor'], tenant: TENANT_IN_QUERY })
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'List audit events, newest first (or oldest first by seq)',
    description: `Keyset pagination with an opaque cursor. Incremental pulls: tenant_id, order=asc and after_seq=<next_after_seq of the previous answer>. ${SCOPE_NOTE}`,
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiBadRequestResponse({
    description: 'validation_failed, invalid_cursor, tenant_id_required (order=asc or after_seq)',
  })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  list(
    @CurrentTenants() tenants: TenantSelection,
    @Query() query: ListAuditEventsQueryDto,
  ): Promise<AuditEventPageDto> {
    return this.query.list(tenants, query);
  }

  @Get('export')
  @Auth({ roles: ['admin', 'auditor'], tenant: TENANT_IN_QUERY })
  @ApiOperation({
    operationId: 'exportAuditEvents',
    summary: 'Export audit events as CSV or NDJSON',
    description: `Every matching event, newest first (or oldest first by seq with order=asc), streamed from one database snapshot (no row cap). NDJSON lines are the list's event objects. CSV cells starting with =, +, -, @, tab or CR get a leading apostrophe. With a tenant, X-Next-After-Seq names the greatest seq in the file (the after_seq of the next incremental pull). ${SCOPE_NOTE}`,
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'The file, as an attachment.',
    headers: {
      'X-Next-After-Seq': { description: 'With a tenant: the greatest seq in the file.', schema: { type: 'string' } },
    },
  })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  @ApiServiceUnavailableResponse(LONG_READ_BUSY)
  async export(
    @CurrentTenants() tenants: TenantSelection,
    @Query() query: ExportAuditEventsQueryDto,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const file = await this.exporter.open(tenants, query);
    // Fastify sends the stream with backpressure and destroys it when the client leaves, which
    // fails the COPY pipeline and discards its database connection.
    const body = new PassThrough();
    void file.pipeTo(body).catch(() => undefined);
    await res
      .status(200)
      .headers({
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.filename}"`,
        'Cache-Control': 'no-store',
        ...(file.nextAfterSeq === null ? {} : { 'X-Next-After-Seq': file.nextAfterSeq }),
      })
      .send(body);
  }

  @Get('verify')
  @Auth({ roles: ['admin', 'auditor'], tenant: TENANT_IN_QUERY })
  @ApiOperation({
    operationId: 'verifyAuditChain',
    summary: "Verify a tenant's hash chain",
    description: `Recomputes every hash and checks the sequence has no gap; names the first broken seq. Without tenant_id: the caller's tenant (tenant-bound auditor) or the broker-wide chain. ${SCOPE_NOTE}`,
  })
  @ApiOkResponse({ type: AuditChainVerdictDto })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  @ApiServiceUnavailableResponse(LONG_READ_BUSY)
  verify(
    @CurrentTenants() tenants: TenantSelection,
    // Validated (and documented) even though the guard already resolved tenant_id from it.
    @Query() _query: VerifyAuditChainQueryDto,
  ): Promise<AuditChainVerdictDto> {
    return this.verifier.verify(tenants);
  }
}
