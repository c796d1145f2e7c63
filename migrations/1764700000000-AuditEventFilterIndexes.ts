import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Index-backed pages for the filters added with SIEM pulls (docs/audit.md#indexes-and-why):
 * connection_id, link_id, request_id and provider, each ending (occurred_at DESC, id DESC) like
 * every list index, partial on NOT NULL (events without one never match). provider has two values
 * in practice, but a tenant that uses only one of them, asked for the other, would otherwise walk
 * all its events to find none: hence (tenant_id, provider, …) beside (provider, …). A connection
 * belongs to one tenant: functional-dependency statistics keep the planner from multiplying the
 * two selectivities (as for actor and login, migration 1764400000000). order=asc and after_seq
 * use UNIQUE (chain_id, seq).
 *
 * `IF NOT EXISTS`: on a large log, build them beforehand without blocking appends
 * (`CREATE INDEX CONCURRENTLY` with the same names and definitions); this migration then only
 * records itself.
 */
export class AuditEventFilterIndexes1764700000000 implements MigrationInterface {
  name = 'AuditEventFilterIndexes1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_connection_time_idx ON audit_events (connection_id, occurred_at DESC, id DESC) WHERE connection_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_link_time_idx ON audit_events (link_id, occurred_at DESC, id DESC) WHERE link_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_request_time_idx ON audit_events (request_id, occurred_at DESC, id DESC) WHERE request_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_provider_time_idx ON audit_events (provider, occurred_at DESC, id DESC) WHERE provider IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_events_tenant_provider_time_idx ON audit_events (tenant_id, provider, occurred_at DESC, id DESC) WHERE provider IS NOT NULL`,
    );
    await q.query(
      `CREATE STATISTICS IF NOT EXISTS audit_events_tenant_connection_stats (dependencies) ON tenant_id, connection_id FROM audit_events`,
    );
    const [{ populated }] = (await q.query(`SELECT EXISTS (SELECT 1 FROM audit_events) AS populated`)) as Array<{
      populated: boolean;
    }>;
    if (populated) await q.query(`ANALYZE audit_events`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS audit_events_tenant_connection_stats`);
    await q.query(`DROP INDEX audit_events_tenant_provider_time_idx`);
    await q.query(`DROP INDEX audit_events_provider_time_idx`);
    await q.query(`DROP INDEX audit_events_request_time_idx`);
    await q.query(`DROP INDEX audit_events_link_time_idx`);
    await q.query(`DROP INDEX audit_events_connection_time_idx`);
  }
}
