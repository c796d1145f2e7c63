import {
  type BrokerRequest,
  Ctx,
  RequestContext,
  requestContextOf,
  type TenantScope,
  UuidParamPipe,
} from '@app/common';
import { Auth, CurrentTenant, currentTenantOf } from '@app/auth';
import {
  CreateLoginLinkDto,
  LoginLinkDto,
  LoginLinkRecordsService,
  LoginLinksService,
  LoginLinkStatusDto,
} from '@app/links';
import { DeferRateLimitCharge, rateLimitChargeOf } from '@app/rate-limit';
import { Created } from '../http/location';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

/** The link's tenant: a portal key's own; an admin key names it (?tenant_id=), as on POST (in the body). */
const TENANT_IN_QUERY = { in: 'query', required: true } as const;

@ApiTags('login-links')
@Controller('v1/login-links')
export class LoginLinksController {
  constructor(
    private readonly links: LoginLinksService,
    private readonly records: LoginLinkRecordsService,
  ) {}

  @Post()
  @HttpCode(201)
  @Auth({ roles: ['portal', 'admin'], tenant: { in: 'body', required: true } })
  // The charge rides on the link-target read: one round trip fewer per link (docs/performance.md).
  @DeferRateLimitCharge()
  @ApiOperation({
    operationId: 'issueLoginLink',
    summary: 'Issue a login link for one upstream user',
    description:
      'direct: the upstream token is minted now; launch: a single-use broker URL that mints on first open. ' +
      "The connection's issuance policy is enforced before any upstream call. " +
      'The answer is sent only after the link and its audit event are committed.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h → the same answer, no second mint.',
  })
  @Created({ type: LoginLinkDto }, (link: LoginLinkDto) => `/v1/login-links/${link.id}`)
  @ApiBadRequestResponse({
    description:
      'validation_failed, tenant_id_required, invalid_user_identifier, target_uri_not_allowed, invalid_session_lifetime, invalid_idempotency_key, reason_required, launch_expiry_too_long',
  })
  @ApiForbiddenResponse({
    description:
      'subject_not_allowed (the connection policy refuses this user; audited), tenant_suspended, upstream_forbidden',
  })
  @ApiNotFoundResponse({ description: 'connection_not_found, tenant_not_found, upstream_user_not_found' })
  @ApiConflictResponse({ description: 'idempotency_in_progress' })
  @ApiUnprocessableEntityResponse({ description: 'idempotency_key_reused' })
  @ApiTooManyRequestsResponse({
    description:
      'subject_rate_limited (max_links_per_subject_per_hour spent; Retry-After; audited), upstream_rate_limited (Retry-After passed on), rate_limited (the key or tenant budget; on this route noticed after the body is validated, so an invalid body gets its 400 and still counts)',
  })
  @ApiServiceUnavailableResponse({
    description: 'audit_unavailable, database_unavailable or upstream_circuit_open (Retry-After): nothing was issued',
  })
  @ApiBadGatewayResponse({
    description: 'upstream_error, upstream_unreachable or upstream_unauthorized: nothing was issued',
  })
  @ApiGatewayTimeoutResponse({ description: 'upstream_timeout' })
  // The tenant, the context and the charge are read from the request here rather than taken as
  // @CurrentTenant() / @Ctx() / @RateLimitCharge(): Nest runs every custom parameter through the
  // global pipe chain, about ten promises each, on the route every link takes (docs/performance.md#ninth-pass).
  issue(@Body() dto: CreateLoginLinkDto, @Req() req: BrokerRequest): Promise<LoginLinkDto> {
    const idempotencyKey = req.headers['idempotency-key'];
    return this.links.issue(
      currentTenantOf(req),
      dto,
      requestContextOf(req),
      typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      rateLimitChargeOf(req),
    );
  }

  @Get(':id')
  @Auth({ roles: ['portal', 'admin'], tenant: TENANT_IN_QUERY })
  @ApiOperation({
    operationId: 'getLoginLink',
    summary: "A login link's status",
    description:
      'issued, redeemed, expired or revoked, with its times, connection, provider and delivery; never its token or URL. An admin key names the tenant in ?tenant_id=.',
  })
  @ApiQuery({ name: 'tenant_id', required: false, description: 'Required for admin keys.' })
  @ApiOkResponse({ type: LoginLinkStatusDto })
  @ApiNotFoundResponse({ description: "login_link_not_found (also for another tenant's link), tenant_not_found" })
  get(@CurrentTenant() tenant: TenantScope, @Param('id', UuidParamPipe) id: string): Promise<LoginLinkStatusDto> {
    return this.records.get(tenant, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Auth({ roles: ['portal', 'admin'], tenant: TENANT_IN_QUERY })
  @ApiOperation({
    operationId: 'revokeLoginLink',
    summary: 'Revoke a launch link',
    description:
      'An unused, unexpired launch link stops working at once (its URL answers 410); audited as login_link.revoked. Revoking a revoked link again is a no-op. An admin key names the tenant in ?tenant_id=.',
  })
  @ApiQuery({ name: 'tenant_id', required: false, description: 'Required for admin keys.' })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked).' })
  @ApiNotFoundResponse({ description: "login_link_not_found (also for another tenant's link), tenant_not_found" })
  @ApiConflictResponse({ description: 'login_link_not_revocable: redeemed, expired, or a direct link' })
  revoke(
    @CurrentTenant() tenant: TenantScope,
    @Param('id', UuidParamPipe) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    return this.records.revoke(tenant, id, ctx);
  }
}
