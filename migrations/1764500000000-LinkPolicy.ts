import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12, "a link that reaches the right person" (docs/links.md):
 * - connections.policy: who may get a link through this connection and on what terms
 *   (subjects allow/deny, require_reason, max_links_per_subject_per_hour); `{}` allows all.
 * - connections.launch_confirmation: `auto` (the continue page submits itself) or `click`
 *   (only the person's click on the page redeems a launch link).
 * - tenants.max_launch_expires_in: the tenant-wide ceiling on a launch link's lifetime.
 * - login_links.revoked_at: a revoked launch link answers 410 like a used one. The partial index
 *   serves "revoke every outstanding link of a tenant" without walking redeemed or direct links.
 */
export class LinkPolicy1764500000000 implements MigrationInterface {
  name = 'LinkPolicy1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE connections
        ADD COLUMN policy jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN launch_confirmation varchar(8) NOT NULL DEFAULT 'auto',
        ADD CONSTRAINT connections_policy_check CHECK (jsonb_typeof(policy) = 'object'),
        ADD CONSTRAINT connections_launch_confirmation_check CHECK (launch_confirmation IN ('auto', 'click'))`);
    await q.query(`
      ALTER TABLE tenants ADD COLUMN max_launch_expires_in integer NULL,
        ADD CONSTRAINT tenants_max_launch_expires_in_check CHECK (max_launch_expires_in BETWEEN 30 AND 86400)`);
    await q.query(`ALTER TABLE login_links ADD COLUMN revoked_at timestamptz(3) NULL`);
    await q.query(`
      CREATE INDEX login_links_outstanding_idx ON login_links (tenant_id, expires_at)
        WHERE delivery = 'launch' AND redeemed_at IS NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX login_links_outstanding_idx`);
    await q.query(`ALTER TABLE login_links DROP COLUMN revoked_at`);
    await q.query(`ALTER TABLE tenants DROP COLUMN max_launch_expires_in`);
    await q.query(`ALTER TABLE connections DROP COLUMN launch_confirmation, DROP COLUMN policy`);
  }
}
