import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * login_links: one row per issued link (direct and launch). A launch link's opaque token is
 * stored only as its SHA-256 (token_hash); redemption is one conditional UPDATE on it.
 * connection_id has no foreign key on purpose: a link whose connection was deleted must still be
 * found at redemption so the browser gets "connection deleted" (404), not "unknown link" (410).
 *
 * login_link_idempotency: Idempotency-Key replays. The key itself is never stored (key_hash), and
 * the stored answer is sealed under a key derived from the Idempotency-Key (see idempotency/).
 */
export class LoginLinks1764100000000 implements MigrationInterface {
  name = 'LoginLinks1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE login_links (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        connection_id uuid NOT NULL,
        provider varchar(32) NOT NULL,
        delivery varchar(8) NOT NULL,
        subject jsonb NOT NULL,
        target_uri text NULL,
        session_lifetime integer NULL,
        token_hash bytea NULL,
        token_fingerprint varchar(16) NULL,
        expires_at timestamptz(3) NOT NULL,
        redeemed_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT login_links_pkey PRIMARY KEY (id),
        CONSTRAINT login_links_token_hash_key UNIQUE (token_hash),
        CONSTRAINT login_links_delivery_check CHECK (delivery IN ('direct', 'launch')),
        CONSTRAINT login_links_token_hash_check CHECK (
          (delivery = 'launch' AND octet_length(token_hash) = 32) OR (delivery = 'direct' AND token_hash IS NULL)
        ),
        CONSTRAINT login_links_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX login_links_tenant_id_created_at_idx ON login_links (tenant_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE login_link_idempotency (
        tenant_id uuid NOT NULL,
        key_hash bytea NOT NULL,
        request_hash bytea NOT NULL,
        state varchar(8) NOT NULL DEFAULT 'pending',
        sealed_answer bytea NULL,
        locked_until timestamptz(3) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT login_link_idempotency_pkey PRIMARY KEY (tenant_id, key_hash),
        CONSTRAINT login_link_idempotency_state_check CHECK (
          (state = 'pending' AND sealed_answer IS NULL) OR (state = 'done' AND sealed_answer IS NOT NULL)
        ),
        CONSTRAINT login_link_idempotency_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX login_link_idempotency_expires_at_idx ON login_link_idempotency (expires_at)`,
    );
    await queryRunner.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON login_links, login_link_idempotency TO sso_broker_runtime`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE login_link_idempotency`);
    await queryRunner.query(`DROP TABLE login_links`);
  }
}
