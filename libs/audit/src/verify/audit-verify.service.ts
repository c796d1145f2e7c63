import { Injectable } from '@nestjs/common';
import { isAllTenants, type TenantSelection } from '@app/common';
import type { AuditChainVerdictDto } from '../dto/audit-event.dto';
import { CheckpointSigner } from '../checkpoints/checkpoint-note';
import { BROKER_CHAIN, chainIdOf, tenantIdOf } from '../store/audit-chain';
import { AuditStore } from '../store/audit.store';

@Injectable()
export class AuditVerifyService {
  constructor(
    private readonly store: AuditStore,
    private readonly signer: CheckpointSigner,
  ) {}

  /**
   * One tenant's chain, with every stored checkpoint checked against it under the configured
   * signing keys; a key bound to no tenant that names none verifies the broker-wide chain.
   */
  async verify(selection: TenantSelection): Promise<AuditChainVerdictDto> {
    const chain = isAllTenants(selection) ? BROKER_CHAIN : selection;
    const verdict = await this.store.verify(chain, this.signer.verifierKeys());
    const { events_checked, ok, first_broken_seq, ...rest } = verdict;
    return { tenant_id: tenantIdOf(chain), events_checked, ok, first_broken_seq, chain_id: chainIdOf(chain), ...rest };
  }
}
