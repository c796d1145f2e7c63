import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fixed-window rate-limit buckets shared by every broker instance (libs/rate-limit), and a
 * tenant's own per-minute budget (NULL: RATE_LIMIT_PER_TENANT_PER_MINUTE applies).
 * UNLOGGED: buckets are disposable counters; skipping the WAL keeps one upsert per request cheap,
 * and losing them in a crash only resets the current minute.
 */
export class RateLimits1764200000000 implements MigrationInterface {
  name = 'RateLimits1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_buckets (
        key text NOT NULL,
        hits int NOT NULL,
        window_ends_at timestamptz NOT NULL,
        blocked_until timestamptz NULL,
        CONSTRAINT rate_limit_buckets_pkey PRIMARY KEY (key)
      )`);
    await q.query(`CREATE INDEX rate_limit_buckets_window_ends_at_idx ON rate_limit_buckets (window_ends_at)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_buckets TO sso_broker_runtime`);
    await q.query(`
      ALTER TABLE tenants ADD COLUMN rate_limit_per_minute int NULL
        CONSTRAINT tenants_rate_limit_per_minute_check CHECK (rate_limit_per_minute BETWEEN 1 AND 10000000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN rate_limit_per_minute`);
    await q.query(`DROP TABLE rate_limit_buckets`);
  }
}
