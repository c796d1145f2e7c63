import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The broker runs as a least-privilege login role that is a member of `sso_broker_runtime`:
 * data access only, no DDL, and (from the audit migration on) no UPDATE or DELETE of audit
 * events. Privileges are versioned here with the schema; operators only grant membership:
 * `GRANT sso_broker_runtime TO <app login role>`. The role is cluster-wide, so `down` leaves it.
 */
export class RuntimeRole1763800000000 implements MigrationInterface {
  name = 'RuntimeRole1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sso_broker_runtime') THEN
        CREATE ROLE sso_broker_runtime NOLOGIN;
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO sso_broker_runtime`);
    // Readiness checks that every migration is applied, as the runtime role.
    await q.query(`GRANT SELECT ON schema_migrations TO sso_broker_runtime`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO sso_broker_runtime', current_database()); END $$`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE SELECT ON schema_migrations FROM sso_broker_runtime`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM sso_broker_runtime`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM sso_broker_runtime', current_database()); END $$`,
    );
  }
}
