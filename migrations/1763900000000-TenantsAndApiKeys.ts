import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * created_at is timestamptz(3): millisecond precision matches a JavaScript Date exactly, so keyset
 * cursors built from it round-trip without skipping or repeating rows.
 * The audit table (`audit_events`, migration 1763985000000-AuditEvents) keeps its own copy of
 * tenant ids and has no foreign key to `tenants`: deleting a tenant must keep its audit history.
 */
export class TenantsAndApiKeys1763900000000 implements MigrationInterface {
  name = 'TenantsAndApiKeys1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        slug varchar(63) NOT NULL,
        name varchar(200) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT tenants_pkey PRIMARY KEY (id),
        CONSTRAINT tenants_slug_key UNIQUE (slug),
        CONSTRAINT tenants_slug_check CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
        CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended'))
      )`);
    await queryRunner.query(`CREATE INDEX tenants_created_at_id_idx ON tenants (created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        role varchar(16) NOT NULL,
        tenant_id uuid NULL,
        prefix varchar(12) NOT NULL,
        key_hash bytea NOT NULL,
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL,
        last_used_at timestamptz NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_pkey PRIMARY KEY (id),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_key_hash_check CHECK (octet_length(key_hash) = 32),
        CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'portal', 'auditor')),
        CONSTRAINT api_keys_role_tenant_check CHECK (
          (role = 'portal' AND tenant_id IS NOT NULL)
          OR (role = 'admin' AND tenant_id IS NULL)
          OR role = 'auditor'
        ),
        CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_created_at_id_idx ON api_keys (created_at, id)`);
    await queryRunner.query(
      `CREATE INDEX api_keys_tenant_id_created_at_id_idx ON api_keys (tenant_id, created_at, id)`,
    );
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, api_keys TO sso_broker_runtime`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE tenants`);
  }
}
