import { Ctx, Page, PageQueryDto, RequestContext, UuidParamPipe } from '@app/common';
import { Auth } from '@app/auth';
import { CreateTenantDto, TenantDto, TenantPageDto, TenantsService, UpdateTenantDto } from '@app/tenants';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

@ApiTags('tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @Auth({ roles: ['admin'] })
  @ApiOperation({ summary: 'Create a tenant', description: 'The slug is derived from the name when absent.' })
  @ApiCreatedResponse({ type: TenantDto })
  @ApiBadRequestResponse({
    description: 'validation_failed, or tenant_slug_required when no slug can be derived from the name.',
  })
  @ApiConflictResponse({ description: 'tenant_slug_taken' })
  create(@Body() dto: CreateTenantDto, @Ctx() ctx: RequestContext): Promise<TenantDto> {
    return this.tenants.create(dto, ctx);
  }

  @Get()
  @Auth({ roles: ['admin'] })
  @ApiOperation({ summary: 'List tenants, oldest first' })
  @ApiOkResponse({ type: TenantPageDto })
  list(@Query() page: PageQueryDto): Promise<Page<TenantDto>> {
    return this.tenants.list(page);
  }

  @Get(':tenant_id')
  @Auth({ roles: ['admin'], tenantParam: 'tenant_id' })
  @ApiOperation({ summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantDto })
  get(@Param('tenant_id', UuidParamPipe) tenantId: string): Promise<TenantDto> {
    return this.tenants.get(tenantId);
  }

  @Patch(':tenant_id')
  @Auth({ roles: ['admin'], tenantParam: 'tenant_id' })
  @ApiOperation({
    summary: 'Rename, suspend or reactivate a tenant',
    description: 'A suspended tenant gets no login links.',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiBadRequestResponse({ description: 'validation_failed, or empty_patch when neither name nor status is given.' })
  update(
    @Param('tenant_id', UuidParamPipe) tenantId: string,
    @Body() dto: UpdateTenantDto,
    @Ctx() ctx: RequestContext,
  ): Promise<TenantDto> {
    return this.tenants.update(tenantId, dto, ctx);
  }

  @Delete(':tenant_id')
  @HttpCode(204)
  @Auth({ roles: ['admin'], tenantParam: 'tenant_id' })
  @ApiOperation({
    summary: 'Delete a tenant',
    description: 'Destroys its connections, credentials and API keys; its audit history is kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'tenant_not_found' })
  delete(@Param('tenant_id', UuidParamPipe) tenantId: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.tenants.delete(tenantId, ctx);
  }
}
