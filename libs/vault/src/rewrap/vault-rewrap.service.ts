import { AuditService, BROKER_CHAIN } from '@app/audit';
import { isBrokerException, RequestContext } from '@app/common';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SealedSecret } from '../crypto/envelope-cipher';
import type { SecretBinding } from '../crypto/secret-binding';
import { secretOrigin } from '../crypto/secret-origin';
import { ConnectionSecretsStore, type StaleSecretRow, type StaleSelection } from '../secrets/connection-secrets.store';
import { VaultService } from '../vault.service';

export const REWRAP_BATCH_SIZE = 500;
const BEFORE_ANY_UUID = '00000000-0000-0000-0000-000000000000';

export interface RewrapResult {
  /** Current-layout rows whose data key was re-wrapped under the current master key. */
  rewrapped: number;
  /** Legacy-layout rows sealed afresh, bound to their connection's origin (docs/vault.md). */
  upgraded: number;
  already_current: number;
  failed: number;
  /** Rows still not fully current afterwards: failed ones, or locked by a concurrent rewrap or PATCH. */
  remaining: number;
  current_version: string;
}

type RowOutcome =
  | { kind: 'rewrapped'; connectionId: string; wrappedKey: Buffer }
  | { kind: 'upgraded'; connectionId: string; sealed: SealedSecret }
  | { kind: 'failed' };

/**
 * Brings every sealed credential up to date, one committed transaction per batch, walking
 * connection ids in order so each row is visited once even when it fails:
 * - a row under an older master key gets its data key re-wrapped (the ciphertext never changes);
 * - a legacy-layout row (associated data without the origin) is opened and sealed afresh, bound
 *   to its connection's current origin (docs/vault.md#upgrading-legacy-rows-to-layout-2).
 * Online: each row is consistent at every instant and readers never see a half-written secret.
 * A crash loses at most the open batch; a rerun skips the rows already current (idempotent).
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

  /** POST /v1/vault/rewrap: every row not under the current master key or the current layout. */
  async rewrapAll(ctx: RequestContext, batchSize = REWRAP_BATCH_SIZE): Promise<RewrapResult> {
    const result = await this.run('stale', batchSize);
    this.logger.log(`rewrap finished: ${JSON.stringify(result)}`);
    await this.recordEvent(ctx, result);
    return result;
  }

  /**
   * Start-up (VaultBootstrap, before the HTTP server listens): only legacy-layout rows. Bounded:
   * each row is visited at most once, in batches; nothing is recorded when there were none.
   */
  async upgradeLegacy(ctx: RequestContext, batchSize = REWRAP_BATCH_SIZE): Promise<RewrapResult | undefined> {
    if (!(await this.secrets.anyLegacyOfAllTenants())) return undefined;
    const started = performance.now();
    const result = await this.run('legacy', batchSize);
    this.logger.log(
      `legacy secrets bound to their origin at start-up in ${Math.round(performance.now() - started)} ms: ` +
        `${JSON.stringify(result)}`,
    );
    if (result.failed > 0) {
      this.logger.warn(
        `${result.failed} legacy secret(s) could not be opened and stay unusable; replace their credentials`,
      );
    }
    await this.recordEvent(ctx, result);
    return result;
  }

  private async run(selection: StaleSelection, batchSize: number): Promise<RewrapResult> {
    const current = this.vault.currentMasterKeyVersion;
    const alreadyCurrent = (await this.secrets.countCurrency(current)).current;
    const totals = { rewrapped: 0, upgraded: 0, failed: 0 };
    let cursor = BEFORE_ANY_UUID;
    for (;;) {
      const batch = await this.dataSource.transaction(async (tx) => {
        const rows = await this.secrets.lockStaleBatchOfAllTenants(selection, current, cursor, batchSize, tx);
        const outcomes = rows.map((row) => this.processRow(row));
        const rewrapped = outcomes.flatMap((o) => (o.kind === 'rewrapped' ? [o] : []));
        const upgraded = outcomes.flatMap((o) => (o.kind === 'upgraded' ? [o] : []));
        await this.secrets.storeRewrapped(current, rewrapped, tx);
        await this.secrets.storeUpgraded(upgraded, tx);
        return {
          size: rows.length,
          rewrapped: rewrapped.length,
          upgraded: upgraded.length,
          last: rows.at(-1)?.connection_id,
        };
      });
      totals.rewrapped += batch.rewrapped;
      totals.upgraded += batch.upgraded;
      totals.failed += batch.size - batch.rewrapped - batch.upgraded;
      if (batch.last === undefined || batch.size < batchSize) break;
      cursor = batch.last;
    }
    const remaining = (await this.secrets.countCurrency(current)).stale;
    return { ...totals, already_current: alreadyCurrent, remaining, current_version: current };
  }

  private recordEvent(ctx: RequestContext, result: RewrapResult): Promise<unknown> {
    return this.dataSource.transaction((tx) =>
      this.audit.record(tx, {
        action: 'vault.rewrapped',
        outcome: result.failed === 0 ? 'success' : 'failure',
        scope: BROKER_CHAIN,
        ctx,
        ...(result.failed === 0 ? {} : { errorCode: 'vault_rewrap_incomplete' }),
        metadata: { ...result },
      }),
    );
  }

  private processRow(row: StaleSecretRow): RowOutcome {
    const sealed: SealedSecret = {
      aadVersion: row.aad_version,
      masterKeyVersion: row.master_key_version,
      wrappedKey: row.wrapped_key,
      ciphertext: row.ciphertext ?? Buffer.alloc(0),
    };
    try {
      // The current origin: a layout-2 row is bound to it (an origin change re-seals in the same
      // transaction), and a legacy row gets bound to it now.
      const binding: SecretBinding = {
        tenantId: row.tenant_id,
        connectionId: row.connection_id,
        secretVersion: row.version,
        origin: secretOrigin(row.base_url),
      };
      if (this.vault.needsUpgrade(sealed)) {
        return { kind: 'upgraded', connectionId: row.connection_id, sealed: this.vault.upgrade(binding, sealed) };
      }
      return {
        kind: 'rewrapped',
        connectionId: row.connection_id,
        wrappedKey: this.vault.rewrap(binding, sealed).wrappedKey,
      };
    } catch (error) {
      if (!isBrokerException(error) && !(error instanceof TypeError)) throw error;
      const reason = isBrokerException(error) ? error.code : 'unusable base_url';
      this.logger.warn(
        `rewrap skipped connection ${row.connection_id} (${row.master_key_version}, layout ${row.aad_version}): ${reason}`,
      );
      return { kind: 'failed' };
    }
  }
}
