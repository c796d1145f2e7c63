import { Auth } from '@app/auth';
import { Ctx, Page, PageQueryDto, RequestContext, UuidParamPipe } from '@app/common';
import {
  ConnectionCheckDto,
  ConnectionDto,
  ConnectionPageDto,
  ConnectionsService,
  CreateConnectionDto,
  UpdateConnectionDto,
} from '@app/connections';
import { CheckResult } from '@app/providers';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

const TENANT = 'tenant_id';
const BAD_INPUT =
  'validation_failed, unknown_provider (lists the known kinds), invalid_base_url, invalid_settings or invalid_credentials, with errors[{field, message}].';

@ApiTags('connections')
@Controller('v1/tenants/:tenant_id/connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({
    summary: 'Create a connection',
    description: 'The credential is sealed in the vault and never shown again.',
  })
  @ApiCreatedResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: BAD_INPUT })
  @ApiConflictResponse({ description: 'connection_name_taken' })
  create(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Body() dto: CreateConnectionDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.create(tenantId, dto, ctx);
  }

  @Get()
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({ summary: "List a tenant's connections, oldest first" })
  @ApiOkResponse({ type: ConnectionPageDto })
  list(@Param(TENANT, UuidParamPipe) tenantId: string, @Query() page: PageQueryDto): Promise<Page<ConnectionDto>> {
    return this.connections.list(tenantId, page);
  }

  @Get(':connection_id')
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({ summary: 'Get a connection' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiNotFoundResponse({ description: 'tenant_not_found or connection_not_found' })
  get(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Param('connection_id', UuidParamPipe) connectionId: string,
  ): Promise<ConnectionDto> {
    return this.connections.get(tenantId, connectionId);
  }

  @Patch(':connection_id')
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({
    summary: 'Rename a connection or change its base URL or settings',
    description: 'settings are replaced as a whole and re-validated; the provider kind cannot change.',
  })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: `${BAD_INPUT} empty_patch when nothing is given.` })
  @ApiConflictResponse({ description: 'connection_name_taken' })
  update(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Body() dto: UpdateConnectionDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.update(tenantId, connectionId, dto, ctx);
  }

  @Delete(':connection_id')
  @HttpCode(204)
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({ summary: 'Delete a connection and destroy its credential' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'tenant_not_found or connection_not_found' })
  delete(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    return this.connections.delete(tenantId, connectionId, ctx);
  }

  @Put(':connection_id/credentials')
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({
    summary: 'Replace the credential',
    description: "The body is the provider's credential object; the credential version increments.",
  })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { api_key: '…', auth_mode: 'legacy' } } })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: 'invalid_credentials with errors[{field, message}].' })
  replaceCredentials(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Param('connection_id', UuidParamPipe) connectionId: string,
    @Body() credentials: Record<string, unknown>,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionDto> {
    return this.connections.replaceCredentials(tenantId, connectionId, credentials, ctx);
  }

  @Post(':connection_id/check')
  @HttpCode(200)
  @Auth({ roles: ['admin'], tenantParam: TENANT })
  @ApiOperation({
    summary: 'Prove the credential works upstream',
    description: 'Upstream refusals answer 200 with ok: false and the error code.',
  })
  @ApiOkResponse({ type: ConnectionCheckDto })
  check(
    @Param(TENANT, UuidParamPipe) tenantId: string,
    @Param('connection_id', UuidParamPipe) connectionId: string,
  ): Promise<CheckResult> {
    return this.connections.check(tenantId, connectionId);
  }
}
