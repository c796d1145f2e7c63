import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit chains (docs/audit.md#checkpoints). Each row is one C2SP
 * tlog-checkpoint note, signed outside the database by the broker's Ed25519 key, stating that a
 * chain held `hash` at `seq`. The table is for the API and for verify; the same notes also leave
 * the database (file sink, webhook), which is what makes them evidence against its owner.
 *
 * - `audit_checkpoints`: append-only like `audit_events` (the runtime role has SELECT and INSERT;
 *   a trigger refuses UPDATE, DELETE and TRUNCATE for every role). `UNIQUE (chain_id, seq)`:
 *   one checkpoint per chain state, whatever the number of instances; it also finds a chain's
 *   newest checkpoint. `(chain_id, id DESC)` pages a tenant's checkpoints newest first.
 * - `audit_checkpoint_deliveries`: the webhook outbox, so that no checkpoint is lost across
 *   restarts; the runtime role may update a delivery's state, never delete it.
 */
export class AuditCheckpoints1764600000000 implements MigrationInterface {
  name = 'AuditCheckpoints1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY,
        chain_id uuid NOT NULL,
        tenant_id uuid NULL,
        seq bigint NOT NULL,
        hash char(64) NOT NULL,
        checkpointed_at timestamptz(3) NOT NULL,
        key_id char(8) NOT NULL,
        note text NOT NULL,
        CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (id),
        CONSTRAINT audit_checkpoints_chain_seq_key UNIQUE (chain_id, seq),
        CONSTRAINT audit_checkpoints_chain_check CHECK (chain_id = COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)),
        CONSTRAINT audit_checkpoints_seq_check CHECK (seq > 0)
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_chain_id_idx ON audit_checkpoints (chain_id, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change()`);
    await q.query(`
      CREATE TABLE audit_checkpoint_deliveries (
        checkpoint_id bigint NOT NULL,
        sink varchar(16) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz NULL,
        delivered_at timestamptz NULL,
        last_error varchar(512) NULL,
        CONSTRAINT audit_checkpoint_deliveries_pkey PRIMARY KEY (checkpoint_id, sink),
        CONSTRAINT audit_checkpoint_deliveries_checkpoint_fkey FOREIGN KEY (checkpoint_id) REFERENCES audit_checkpoints (id),
        CONSTRAINT audit_checkpoint_deliveries_sink_check CHECK (sink IN ('webhook'))
      )`);
    await q.query(
      `CREATE INDEX audit_checkpoint_deliveries_due_idx ON audit_checkpoint_deliveries (next_attempt_at) WHERE delivered_at IS NULL`,
    );
    await q.query(`REVOKE ALL ON audit_checkpoints, audit_checkpoint_deliveries FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON audit_checkpoints TO sso_broker_runtime`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit_checkpoint_deliveries TO sso_broker_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoint_deliveries`);
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP FUNCTION audit_checkpoints_refuse_change()`);
  }
}
