import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The purge of expired login_links rows (libs/links/src/retention) walks them by expires_at;
 * login_link_idempotency already has its expires_at index.
 */
export class LinkRecordExpiry1764300000000 implements MigrationInterface {
  name = 'LinkRecordExpiry1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX login_links_expires_at_idx ON login_links (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX login_links_expires_at_idx`);
  }
}
