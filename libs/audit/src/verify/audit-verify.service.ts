import { Injectable } from '@nestjs/common';
import { isAllTenants, type TenantSelection } from '@app/common';
import type { AuditChainVerdictDto } from '../dto/audit-event.dto';
import { BROKER_CHAIN, tenantIdOf } from '../store/audit-chain';
import { AuditStore } from '../store/audit.store';

@Injectable()
export class AuditVerifyService {
  constructor(private readonly store: AuditStore) {}

  /** One tenant's chain; a key bound to no tenant that names none verifies the broker-wide chain. */
  async verify(selection: TenantSelection): Promise<AuditChainVerdictDto> {
    const chain = isAllTenants(selection) ? BROKER_CHAIN : selection;
    return { tenant_id: tenantIdOf(chain), ...(await this.store.verify(chain)) };
  }
}
