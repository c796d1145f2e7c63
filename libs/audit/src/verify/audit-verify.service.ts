import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { isAllTenants, type TenantSelection } from '@app/common';
import type { AuditChainVerdictDto } from '../dto/audit-event.dto';
import { AUDIT_CHECKPOINT_SETTINGS, type AuditCheckpointSettings } from '../checkpoints/audit-checkpoint.settings';
import { checkpointFileName } from '../checkpoints/checkpoint-file-sink';
import { CheckpointSigner } from '../checkpoints/checkpoint-note';
import { streamNotes } from '../verify-tool/checkpoint-files';
import { BROKER_CHAIN, chainIdOf, tenantIdOf } from '../store/audit-chain';
import { AuditLongReadStore } from '../store/audit-long-reads.store';

@Injectable()
export class AuditVerifyService {
  constructor(
    private readonly store: AuditLongReadStore,
    private readonly signer: CheckpointSigner,
    @Inject(AUDIT_CHECKPOINT_SETTINGS) private readonly settings: AuditCheckpointSettings,
  ) {}

  /**
   * One tenant's chain, with every checkpoint checked against it under the configured signing
   * keys: the table's, and this instance's file sink copy of the chain's (which the database's
   * owner cannot rewrite along with the table). A key bound to no tenant that names none
   * verifies the broker-wide chain.
   */
  async verify(selection: TenantSelection): Promise<AuditChainVerdictDto> {
    const chain = isAllTenants(selection) ? BROKER_CHAIN : selection;
    const file = join(this.settings.directory, checkpointFileName(chainIdOf(chain)));
    const verdict = await this.store.verify(chain, this.signer.verifierKeys(), [streamNotes(file)]);
    const { events_checked, ok, first_broken_seq, ...rest } = verdict;
    return { tenant_id: tenantIdOf(chain), events_checked, ok, first_broken_seq, chain_id: chainIdOf(chain), ...rest };
  }
}
