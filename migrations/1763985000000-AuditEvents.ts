import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (docs/audit.md). `audit_events` is append-only: the runtime role gets SELECT and
 * INSERT only, and a trigger refuses UPDATE, DELETE and TRUNCATE for every role, owner included,
 * so tampering needs a deliberate `ALTER TABLE ... DISABLE TRIGGER` by the owner (which the
 * hash chain then exposes). No foreign key to tenants: a deleted tenant's history is kept.
 * `audit_chain_heads` holds each chain's tip; its row lock serialises writers of one chain.
 */
export class AuditEvents1763985000000 implements MigrationInterface {
  name = 'AuditEvents1763985000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id uuid NOT NULL,
        chain_id uuid NOT NULL,
        tenant_id uuid NULL,
        seq bigint NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        action varchar(64) NOT NULL,
        outcome varchar(8) NOT NULL,
        actor_type varchar(16) NOT NULL,
        actor_id varchar(200) NULL,
        actor_role varchar(16) NULL,
        ip varchar(64) NULL,
        user_agent varchar(512) NULL,
        request_id varchar(200) NULL,
        connection_id varchar(200) NULL,
        provider varchar(64) NULL,
        subject_login varchar(512) NULL,
        subject_user_id varchar(512) NULL,
        subject_external_id varchar(512) NULL,
        link_id varchar(200) NULL,
        token_fingerprint varchar(64) NULL,
        error_code varchar(128) NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT audit_events_pkey PRIMARY KEY (id),
        CONSTRAINT audit_events_chain_seq_key UNIQUE (chain_id, seq),
        CONSTRAINT audit_events_chain_check CHECK (chain_id = COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)),
        CONSTRAINT audit_events_seq_check CHECK (seq > 0),
        CONSTRAINT audit_events_outcome_check CHECK (outcome IN ('success', 'failure')),
        CONSTRAINT audit_events_actor_type_check CHECK (actor_type IN ('api_key', 'anonymous', 'system'))
      )`);
    // Newest-first keyset pagination: every list index ends with (occurred_at DESC, id DESC) so a
    // page is an index range scan of `limit` entries whatever the table size.
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_events_tenant_time_idx ON audit_events (tenant_id, occurred_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX audit_events_tenant_action_time_idx ON audit_events (tenant_id, action, occurred_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX audit_events_action_time_idx ON audit_events (action, occurred_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX audit_events_actor_time_idx ON audit_events (actor_id, occurred_at DESC, id DESC) WHERE actor_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_events_login_time_idx ON audit_events (subject_login, occurred_at DESC, id DESC) WHERE subject_login IS NOT NULL`,
    );
    // Failures are a small share of events: a partial index finds them without walking successes.
    await q.query(
      `CREATE INDEX audit_events_failure_time_idx ON audit_events (occurred_at DESC, id DESC) WHERE outcome = 'failure'`,
    );
    await q.query(`
      CREATE TABLE audit_chain_heads (
        chain_id uuid NOT NULL,
        last_seq bigint NOT NULL,
        last_hash char(64) NOT NULL,
        last_occurred_at timestamptz(3) NULL,
        CONSTRAINT audit_chain_heads_pkey PRIMARY KEY (chain_id)
      )`);
    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`REVOKE ALL ON audit_events, audit_chain_heads FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_events TO sso_broker_runtime`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO sso_broker_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_heads`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_refuse_change()`);
  }
}
