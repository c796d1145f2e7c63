import { Auth, CurrentTenant } from '@app/auth';
import { Ctx, Page, PageQueryDto, RequestContext, type TenantScope, UuidParamPipe } from '@app/common';
import {
  ConnectionCheckDto,
  ConnectionDto,
  ConnectionPageDto,
  ConnectionsService,
  CreateConnectionDto,
  UpdateConnectionDto,
} from '@app/connections';
import { CheckResult, PROVIDER_MODELS } from '@app/providers';
import { Created } from '../http/location';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';

const TENANT_IN_PATH = { in: 'path', required: true } as const;
const BAD_INPUT =
  'validation_failed, unknown_provider (lists the known kinds), invalid_base_url (also: http in production without ' +
  'UPSTREAM_ALLOW_HTTP), upstream_address_not_allowed (the host resolves to an address the egress policy refuses), ' +
  'invalid_settings or invalid_credentials, with errors[{field, message}].';

const CREDENTIAL_MODELS = Object.values(PROVIDER_MODELS).flatMap((model) => Object.values(model.credentials));

@ApiTags('connections')
// Each provider's settings and credential schemas, for the discriminated connection schemas (openapi-contract.ts).
@ApiExtraModels(...Object.values(PROVIDER_MODELS).map((model) => model.settings), ...CREDENTIAL_MODELS)
@Controller('v1/tenants/:tenant_id/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'createConnection',
    summary: 'Create a connection',
    description:
      "The credential is sealed in the vault, bound to base_url's origin, and never shown again. In production " +
      'base_url must be https unless UPSTREAM_ALLOW_HTTP=true.',
  })
  @Created(
    { type: ConnectionDto },
    (connection: ConnectionDto) => `/v1/tenants/${connection.tenant_id}/connections/${connection.id}`,
  )
  @ApiBadRequestResponse({ description: BAD_INPUT })
  @ApiConflictResponse({ description: 'connection_name_taken' })
  create(
    @CurrentTenant() tenant: TenantScope,
    @Body() dto: CreateConnectionDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.create(tenant, dto, ctx);
  }

  @Get()
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({ operationId: 'listConnections', summary: "List a tenant's connections, oldest first" })
  @ApiOkResponse({ type: ConnectionPageDto })
  list(@CurrentTenant() tenant: TenantScope, @Query() page: PageQueryDto): Promise<Page<ConnectionDto>> {
    return this.connections.list(tenant, page);
  }

  @Get(':connection_id')
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({ operationId: 'getConnection', summary: 'Get a connection' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiNotFoundResponse({ description: 'tenant_not_found or connection_not_found' })
  get(
    @CurrentTenant() tenant: TenantScope,
    @Param('connection_id', UuidParamPipe) connectionId: string,
  ): Promise<ConnectionDto> {
    return this.connections.get(tenant, connectionId);
  }

  @Patch(':connection_id')
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'updateConnection',
    summary: 'Rename a connection or change its base URL, settings or credentials',
    description:
      'settings are replaced as a whole and re-validated; the provider kind cannot change. A base_url with another ' +
      'origin (scheme, host or port) needs `credentials` in the same request: the stored credential is bound to its ' +
      'origin. The connection.updated event records the changed fields before and after, never the credentials.',
  })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({
    description: `${BAD_INPUT} empty_patch when nothing is given; credentials_required_for_new_origin when base_url changes origin without credentials (nothing is changed).`,
  })
  @ApiConflictResponse({ description: 'connection_name_taken' })
  update(
    @CurrentTenant() tenant: TenantScope,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Body() dto: UpdateConnectionDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.update(tenant, connectionId, dto, ctx);
  }

  @Delete(':connection_id')
  @HttpCode(204)
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({ operationId: 'deleteConnection', summary: 'Delete a connection and destroy its credential' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'tenant_not_found or connection_not_found' })
  delete(
    @CurrentTenant() tenant: TenantScope,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    return this.connections.delete(tenant, connectionId, ctx);
  }

  @Put(':connection_id/credentials')
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'rotateConnectionCredentials',
    summary: 'Replace the credential',
    description: "The body is the provider's credential object; the credential version increments.",
  })
  @ApiBody({
    description: "The connection's provider's credential object (its schema by provider: see createConnection).",
    schema: { anyOf: CREDENTIAL_MODELS.map((model) => ({ $ref: getSchemaPath(model) })) },
  })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: 'invalid_credentials with errors[{field, message}].' })
  replaceCredentials(
    @CurrentTenant() tenant: TenantScope,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Body() credentials: Record<string, unknown>,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.replaceCredentials(tenant, connectionId, credentials, ctx);
  }

  @Post(':connection_id/check')
  @HttpCode(200)
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'checkConnection',
    summary: 'Prove the credential works upstream',
    description:
      'Upstream refusals and faults answer 200 with ok: false and the error code (upstream_unreachable alike for a ' +
      'refused, reset or timed-out connect; upstream_address_not_allowed when the egress policy refuses the address ' +
      'the host resolves to now, in which case nothing is sent). The detail is written by the broker; what the ' +
      'upstream said is only logged. Each check is audited as connection.checked (outcome, error_code).',
  })
  @ApiOkResponse({ type: ConnectionCheckDto })
  @ApiNotFoundResponse({ description: 'tenant_not_found or connection_not_found' })
  check(
    @CurrentTenant() tenant: TenantScope,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CheckResult> {
    return this.connections.check(tenant, connectionId, ctx);
  }
}
