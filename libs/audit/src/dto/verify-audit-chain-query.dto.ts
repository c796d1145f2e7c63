import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class VerifyAuditChainQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "The tenant whose chain to verify. Omitted: the caller's tenant for a tenant-bound auditor, otherwise the broker-wide chain (events without a tenant).",
  })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}
