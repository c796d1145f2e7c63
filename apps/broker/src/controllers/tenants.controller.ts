import { Ctx, Page, PageQueryDto, RequestContext, type TenantScope } from '@app/common';
import { Auth, CurrentTenant } from '@app/auth';
import { CreateTenantDto, TenantDto, TenantPageDto, TenantsService, UpdateTenantDto } from '@app/tenants';
import { Created } from '../http/location';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

const TENANT_IN_PATH = { in: 'path', required: true } as const;

@ApiTags('tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @Auth({ roles: ['admin'] })
  @ApiOperation({
    operationId: 'createTenant',
    summary: 'Create a tenant',
    description: 'The slug is derived from the name when absent.',
  })
  @Created({ type: TenantDto }, (tenant: TenantDto) => `/v1/tenants/${tenant.id}`)
  @ApiBadRequestResponse({
    description: 'validation_failed, or tenant_slug_required when no slug can be derived from the name.',
  })
  @ApiConflictResponse({ description: 'tenant_slug_taken' })
  create(@Body() dto: CreateTenantDto, @Ctx() ctx: RequestContext): Promise<TenantDto> {
    return this.tenants.create(dto, ctx);
  }

  @Get()
  @Auth({ roles: ['admin'] })
  @ApiOperation({ operationId: 'listTenants', summary: 'List tenants, oldest first' })
  @ApiOkResponse({ type: TenantPageDto })
  list(@Query() page: PageQueryDto): Promise<Page<TenantDto>> {
    return this.tenants.list(page);
  }

  @Get(':tenant_id')
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({ operationId: 'getTenant', summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantDto })
  get(@CurrentTenant() tenant: TenantScope): Promise<TenantDto> {
    return this.tenants.get(tenant);
  }

  @Patch(':tenant_id')
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'updateTenant',
    summary: 'Rename, suspend or reactivate a tenant',
    description: 'A suspended tenant gets no login links.',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiBadRequestResponse({ description: 'validation_failed, or empty_patch when neither name nor status is given.' })
  update(
    @CurrentTenant() tenant: TenantScope,
    @Body() dto: UpdateTenantDto,
    @Ctx() ctx: RequestContext,
  ): Promise<TenantDto> {
    return this.tenants.update(tenant, dto, ctx);
  }

  @Delete(':tenant_id')
  @HttpCode(204)
  @Auth({ roles: ['admin'], tenant: TENANT_IN_PATH })
  @ApiOperation({
    operationId: 'deleteTenant',
    summary: 'Delete a tenant',
    description: 'Destroys its connections, credentials and API keys; its audit history is kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  delete(@CurrentTenant() tenant: TenantScope, @Ctx() ctx: RequestContext): Promise<void> {
    return this.tenants.delete(tenant, ctx);
  }
}
