import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, type TenantSelection } from '@app/common';
import { Auth, CurrentTenants } from '@app/auth';
import {
  AuditCheckpointDto,
  AuditCheckpointPageDto,
  AuditCheckpointPublicKeysDto,
  AuditCheckpointQueryService,
  ListAuditCheckpointsQueryDto,
} from '@app/audit';

@ApiTags('audit')
@Controller('v1/audit-checkpoints')
export class AuditCheckpointsController {
  constructor(private readonly checkpoints: AuditCheckpointQueryService) {}

  @Get()
  @Auth({ roles: ['admin', 'auditor'], tenant: { in: 'query', required: false } })
  @ApiOperation({
    operationId: 'listAuditCheckpoints',
    summary: 'List signed audit checkpoints, newest first',
    description:
      'Each one a C2SP tlog-checkpoint note signed with the broker key: the chain held `hash` at `seq`. A tenant-bound auditor only ever sees its own tenant; naming another tenant answers 404 tenant_not_found. Without tenant_id an admin or global auditor sees every chain, the broker-wide one included.',
  })
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  @ApiBadRequestResponse({ description: 'validation_failed, invalid_cursor' })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  list(
    @CurrentTenants() tenants: TenantSelection,
    @Query() query: ListAuditCheckpointsQueryDto,
  ): Promise<Page<AuditCheckpointDto>> {
    return this.checkpoints.list(tenants, query);
  }

  @Get('public-keys')
  @Auth({ roles: ['admin', 'auditor'] })
  @ApiOperation({
    operationId: 'listAuditCheckpointPublicKeys',
    summary: 'The public keys that verify checkpoints',
    description:
      'Every configured signing key (the current one signs, all verify). Pin them out of band: a key fetched from the service it is meant to check proves nothing on its own (docs/audit.md#key-handling-and-pinning).',
  })
  @ApiOkResponse({ type: AuditCheckpointPublicKeysDto })
  publicKeys(): AuditCheckpointPublicKeysDto {
    return this.checkpoints.publicKeys();
  }
}
