import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/common';
import { chainIdOf } from '../chain/chained-event';
import { verifyChain } from '../chain/verify-chain';
import { dedicatedClient } from '../dedicated-client';
import type { AuditChainVerdictDto } from '../dto/audit-event.dto';
import { auditScopeOf } from '../query/audit-scope';

@Injectable()
export class AuditVerifyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Recomputes one chain from the database, streaming; see verifyChain. */
  async verify(principal: Principal, requestedTenantId: string | undefined): Promise<AuditChainVerdictDto> {
    const tenantId = auditScopeOf(principal, requestedTenantId) ?? null;
    const client = await dedicatedClient(this.dataSource);
    let failed: Error | undefined;
    try {
      return { tenant_id: tenantId, ...(await verifyChain(client, chainIdOf(tenantId))) };
    } catch (error) {
      failed = error instanceof Error ? error : new Error('verify failed');
      throw error;
    } finally {
      client.release(failed);
    }
  }
}
