import { Ctx, Page, RequestContext, type TenantSelection, UuidParamPipe } from '@app/common';
import {
  ApiKeyDto,
  ApiKeyPageDto,
  ApiKeysService,
  Auth,
  CurrentTenants,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  ListApiKeysQueryDto,
} from '@app/auth';
import { Created } from '../http/location';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Auth({ roles: ['admin'], tenant: { in: 'body', required: false } })
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description: 'The answer carries the key text; it is shown this once and never again.',
  })
  @Created({ type: CreatedApiKeyDto }, (key: CreatedApiKeyDto) => `/v1/api-keys/${key.id}`)
  @ApiBadRequestResponse({
    description: 'validation_failed, tenant_id_required (portal), tenant_id_not_allowed (admin), invalid_expiry.',
  })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  create(
    @CurrentTenants() binding: TenantSelection,
    @Body() dto: CreateApiKeyDto,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(binding, dto, ctx);
  }

  @Get()
  @Auth({ roles: ['admin'], tenant: { in: 'query', required: false } })
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'List API keys, oldest first',
    description: 'Never shows a key text or hash; revoked keys are listed with revoked_at.',
  })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(@CurrentTenants() tenants: TenantSelection, @Query() query: ListApiKeysQueryDto): Promise<Page<ApiKeyDto>> {
    return this.apiKeys.list(tenants, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @Auth({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'Effective on the next request on every instance. Revoking a revoked key again succeeds (idempotent).',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ description: 'api_key_not_found' })
  @ApiConflictResponse({ description: 'last_admin_key: the only active admin key cannot be revoked.' })
  revoke(@Param('id', UuidParamPipe) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.apiKeys.revoke(id, ctx);
  }
}
