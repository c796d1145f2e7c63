import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which associated-data layout each sealed credential uses (docs/vault.md#associated-data):
 * 1, the legacy layout every existing row has (tenant, connection, version), or 2, which also
 * binds the upstream origin. A migration cannot re-seal (no keys in SQL): the broker upgrades
 * layout-1 rows itself at start-up and in POST /v1/vault/rewrap
 * (docs/vault.md#upgrading-legacy-rows-to-layout-2).
 *
 * The default stays 1 on purpose: during a rolling deploy an instance still running the previous
 * release writes layout-1 blobs without naming the column, and the default labels them truthfully
 * (the next start-up or rewrap upgrades them). The current code always writes 2 explicitly.
 * The partial index keeps the start-up scan for legacy rows instant once none are left.
 */
export class SecretOriginBinding1764510000000 implements MigrationInterface {
  name = 'SecretOriginBinding1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE connection_secrets
        ADD COLUMN aad_version smallint NOT NULL DEFAULT 1,
        ADD CONSTRAINT connection_secrets_aad_version_check CHECK (aad_version IN (1, 2))`);
    await q.query(
      `CREATE INDEX connection_secrets_legacy_aad_idx ON connection_secrets (connection_id) WHERE aad_version < 2`,
    );
  }

  /** Rows sealed under layout 2 cannot be opened by the previous release, reverted or not: they need new credentials. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX connection_secrets_legacy_aad_idx`);
    await q.query(`ALTER TABLE connection_secrets DROP COLUMN aad_version`);
  }
}
