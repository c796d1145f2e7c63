import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A connection and its sealed credential live in two tables so that listing, reading and
 * patching connections never loads a ciphertext, and so that the rewrap job locks only secret
 * rows. The composite foreign key makes the secret's tenant_id (part of the encryption's
 * associated data) always equal its connection's tenant. Deleting a connection or its tenant
 * cascades to the secret: the ciphertext is destroyed with it.
 */
export class ConnectionsAndSecrets1763960000000 implements MigrationInterface {
  name = 'ConnectionsAndSecrets1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE connections (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        name varchar(100) NOT NULL,
        provider varchar(32) NOT NULL,
        base_url varchar(2048) NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT connections_pkey PRIMARY KEY (id),
        CONSTRAINT connections_id_tenant_id_key UNIQUE (id, tenant_id),
        CONSTRAINT connections_tenant_id_name_key UNIQUE (tenant_id, name),
        CONSTRAINT connections_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT connections_settings_check CHECK (jsonb_typeof(settings) = 'object')
      )`);
    await q.query(`CREATE INDEX connections_tenant_id_created_at_id_idx ON connections (tenant_id, created_at, id)`);
    await q.query(`
      CREATE TABLE connection_secrets (
        connection_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        version integer NOT NULL,
        kind varchar(32) NOT NULL,
        master_key_version varchar(16) NOT NULL,
        wrapped_key bytea NOT NULL,
        ciphertext bytea NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT connection_secrets_pkey PRIMARY KEY (connection_id),
        CONSTRAINT connection_secrets_connection_fkey FOREIGN KEY (connection_id, tenant_id)
          REFERENCES connections (id, tenant_id) ON DELETE CASCADE,
        CONSTRAINT connection_secrets_version_check CHECK (version >= 1)
      )`);
    await q.query(
      `CREATE INDEX connection_secrets_master_key_version_idx ON connection_secrets (master_key_version, connection_id)`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON connections, connection_secrets TO sso_broker_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE connection_secrets`);
    await q.query(`DROP TABLE connections`);
  }
}
