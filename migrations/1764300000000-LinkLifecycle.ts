import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - login_links(expires_at): the purge of expired link records (libs/links/src/retention) walks
 *   them by expiry; login_link_idempotency already has its expires_at index.
 * - connections.launch_expires_in: a connection's own default lifetime for launch links
 *   (NULL: LAUNCH_LINK_TTL_SECONDS); a request's expires_in still wins.
 */
export class LinkLifecycle1764300000000 implements MigrationInterface {
  name = 'LinkLifecycle1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX login_links_expires_at_idx ON login_links (expires_at)`);
    await q.query(`
      ALTER TABLE connections ADD COLUMN launch_expires_in integer NULL,
        ADD CONSTRAINT connections_launch_expires_in_check CHECK (launch_expires_in BETWEEN 30 AND 86400)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE connections DROP COLUMN launch_expires_in`);
    await q.query(`DROP INDEX login_links_expires_at_idx`);
  }
}
