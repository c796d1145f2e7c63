import { AuditService, BROKER_CHAIN } from '@app/audit';
import { isBrokerException, RequestContext } from '@app/common';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConnectionSecretsStore, type StaleSecretRow } from '../secrets/connection-secrets.store';
import { VaultService } from '../vault.service';

export const REWRAP_BATCH_SIZE = 500;
const BEFORE_ANY_UUID = '00000000-0000-0000-0000-000000000000';

export interface RewrapResult {
  rewrapped: number;
  already_current: number;
  failed: number;
  /** Rows still not under the current version afterwards: failed ones, or locked by a concurrent rewrap. */
  remaining: number;
  current_version: string;
}

/**
 * Re-wraps every data key not under the current master key, one committed transaction per
 * batch, walking connection ids in order so each row is visited once even when it fails.
 * Online: each row is consistent at every instant (old wrap + old version, or new + new) and the
 * ciphertext never changes, so readers never see a half-written secret. A crash loses at most
 * the open batch; a rerun skips the rows already current, which makes it idempotent.
 */
@Injectable()
export class VaultRewrapService {
  private readonly logger = new Logger('Vault');

  constructor(
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly secrets: ConnectionSecretsStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async rewrapAll(ctx: RequestContext, batchSize = REWRAP_BATCH_SIZE): Promise<RewrapResult> {
    const current = this.vault.currentMasterKeyVersion;
    const alreadyCurrent = (await this.secrets.countByMasterKeyVersion(current)).current;
    let rewrapped = 0;
    let failed = 0;
    let cursor = BEFORE_ANY_UUID;
    for (;;) {
      const batch = await this.dataSource.transaction(async (tx) => {
        const rows = await this.secrets.lockStaleBatchOfAllTenants(current, cursor, batchSize, tx);
        const done = rows.flatMap((row) => this.rewrapRow(row));
        await this.secrets.storeRewrapped(current, done, tx);
        return { size: rows.length, done: done.length, last: rows.at(-1)?.connection_id };
      });
      rewrapped += batch.done;
      failed += batch.size - batch.done;
      if (batch.last === undefined || batch.size < batchSize) break;
      cursor = batch.last;
    }
    const remaining = (await this.secrets.countByMasterKeyVersion(current)).stale;
    const result = { rewrapped, already_current: alreadyCurrent, failed, remaining, current_version: current };
    this.logger.log(`rewrap finished: ${JSON.stringify(result)}`);
    await this.dataSource.transaction((tx) =>
      this.audit.record(tx, {
        action: 'vault.rewrapped',
        outcome: failed === 0 ? 'success' : 'failure',
        scope: BROKER_CHAIN,
        ctx,
        ...(failed === 0 ? {} : { errorCode: 'vault_rewrap_incomplete' }),
        metadata: { ...result },
      }),
    );
    return result;
  }

  private rewrapRow(row: StaleSecretRow): { connectionId: string; wrappedKey: Buffer }[] {
    const binding = { tenantId: row.tenant_id, connectionId: row.connection_id, secretVersion: row.version };
    const sealed = {
      masterKeyVersion: row.master_key_version,
      wrappedKey: row.wrapped_key,
      ciphertext: Buffer.alloc(0),
    };
    try {
      return [{ connectionId: row.connection_id, wrappedKey: this.vault.rewrap(binding, sealed).wrappedKey }];
    } catch (error) {
      if (!isBrokerException(error)) throw error;
      this.logger.warn(`rewrap skipped connection ${row.connection_id} (${row.master_key_version}): ${error.code}`);
      return [];
    }
  }
}
