import { Ctx, RequestContext, type TenantScope } from '@app/common';
import { Auth, CurrentTenant } from '@app/auth';
import { CreateLoginLinkDto, LoginLinkDto, LoginLinksService } from '@app/links';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

@ApiTags('login-links')
@Controller('v1/login-links')
export class LoginLinksController {
  constructor(private readonly links: LoginLinksService) {}

  @Post()
  @HttpCode(201)
  @Auth({ roles: ['portal', 'admin'], tenant: { in: 'body', required: true } })
  @ApiOperation({
    summary: 'Issue a login link for one upstream user',
    description:
      'direct: the upstream token is minted now; launch: a single-use broker URL that mints on first open. ' +
      'The answer is sent only after the link and its audit event are committed.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h → the same answer, no second mint.',
  })
  @ApiCreatedResponse({ type: LoginLinkDto })
  @ApiBadRequestResponse({
    description:
      'validation_failed, tenant_id_required, invalid_user_identifier, target_uri_not_allowed, invalid_session_lifetime, invalid_idempotency_key',
  })
  @ApiNotFoundResponse({ description: 'connection_not_found, tenant_not_found, upstream_user_not_found' })
  @ApiConflictResponse({ description: 'idempotency_in_progress' })
  @ApiUnprocessableEntityResponse({ description: 'idempotency_key_reused' })
  @ApiTooManyRequestsResponse({ description: 'upstream_rate_limited (Retry-After passed on)' })
  @ApiServiceUnavailableResponse({ description: 'audit_unavailable: nothing was issued' })
  @ApiGatewayTimeoutResponse({
    description:
      'upstream_timeout; 502 for upstream_error, upstream_unreachable, upstream_unauthorized, upstream_circuit_open',
  })
  issue(
    @CurrentTenant() tenant: TenantScope,
    @Body() dto: CreateLoginLinkDto,
    @Ctx() ctx: RequestContext,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<LoginLinkDto> {
    return this.links.issue(tenant, dto, ctx, idempotencyKey);
  }
}
