import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type TenantSelection } from '@app/common';
import { Auth, CurrentTenants } from '@app/auth';
import { AuditStatsDto, AuditStatsQueryDto, AuditStatsService } from '@app/audit';

@ApiTags('audit')
@Controller('v1/audit-stats')
export class AuditStatsController {
  constructor(private readonly stats: AuditStatsService) {}

  @Get()
  @Auth({ roles: ['admin', 'auditor'], tenant: { in: 'query', required: false } })
  @ApiOperation({
    operationId: 'getAuditStats',
    summary: 'Links issued, failed and redeemed over time, per provider',
    description:
      'Counts of login_link.issued, login_link.failed and login_link.redeemed audit events per hour (window=24h) or per day (window=30d, UTC), in total and per provider. A tenant-bound auditor only ever sees its own tenant; naming another tenant answers 404 tenant_not_found.',
  })
  @ApiOkResponse({ type: AuditStatsDto })
  @ApiBadRequestResponse({ description: 'validation_failed' })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  issuance(@CurrentTenants() tenants: TenantSelection, @Query() query: AuditStatsQueryDto): Promise<AuditStatsDto> {
    return this.stats.issuance(tenants, query);
  }
}
