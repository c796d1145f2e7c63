import { Auth, CurrentTenant } from '@app/auth';
import { Ctx, RequestContext, type TenantScope } from '@app/common';
import { LoginLinkRecordsService, RevokeLoginLinksDto, RevokeLoginLinksResultDto } from '@app/links';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('login-links')
@Controller('v1/tenants/:tenant_id/login-links')
export class TenantLoginLinksController {
  constructor(private readonly records: LoginLinkRecordsService) {}

  @Post('revoke')
  @HttpCode(200)
  @Auth({ roles: ['admin'], tenant: { in: 'path', required: true } })
  @ApiOperation({
    operationId: 'revokeTenantLoginLinks',
    summary: "Revoke a tenant's outstanding launch links",
    description:
      'Every unused, unexpired launch link of the tenant (optionally only of one connection, or for one user) stops working at once; one login_link.revoked event records the count.',
  })
  @ApiOkResponse({ type: RevokeLoginLinksResultDto })
  revoke(
    @CurrentTenant() tenant: TenantScope,
    @Body() dto: RevokeLoginLinksDto,
    @Ctx() ctx: RequestContext,
  ): Promise<RevokeLoginLinksResultDto> {
    return this.records.revokeOutstanding(tenant, dto, ctx);
  }
}
