import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web console sessions (docs/architecture.md#console-sessions): a browser signs in once with an
 * admin or auditor key and then carries a random session token in an HttpOnly cookie. Only the
 * SHA-256 of that token is stored, so a copy of this table opens no session. The session belongs
 * to the key: revoking it is checked on every request, and deleting the key (or its tenant, whose
 * keys cascade) deletes its sessions.
 */
export class ConsoleSessions1764800000000 implements MigrationInterface {
  name = 'ConsoleSessions1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT console_sessions_token_hash_key UNIQUE (token_hash),
        CONSTRAINT console_sessions_token_hash_check CHECK (octet_length(token_hash) = 32),
        CONSTRAINT console_sessions_lifetime_check CHECK (expires_at > created_at)
      )`);
    // The per-key cascade and the sign-in purge of ended sessions.
    await q.query(`CREATE INDEX console_sessions_api_key_id_idx ON console_sessions (api_key_id)`);
    await q.query(`CREATE INDEX console_sessions_expires_at_idx ON console_sessions (expires_at)`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON console_sessions TO sso_broker_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_sessions`);
  }
}
