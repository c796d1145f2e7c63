import { isAllTenants, type TenantSelection } from '@app/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { StoredChainedEvent } from '../chain/chained-event';
import { eventColumnsSql } from '../store/audit-event-filter.sql';
import { ROWS_PER_FETCH } from '../store/rows-per-fetch';
import { dedicatedClient } from '../store/dedicated-client';

/** One instance at a time makes checkpoints; the others skip the round (docs/architecture.md#6-scaling-past-one-machine). */
const CHECKPOINT_LOCK = 'sso-broker:audit-checkpoints';

export interface MovedChain {
  chain_id: string;
  head_seq: string;
  head_hash: string;
  /** The newest checkpoint of the chain, or null for a chain never checkpointed. */
  checkpoint_seq: string | null;
  checkpoint_hash: string | null;
  /** The database clock, read with the heads: the time line of the checkpoints made now. */
  now: Date;
}

/** Events (after_seq, through_seq] of one chain, to verify before signing. */
export interface SegmentRange {
  chainId: string;
  afterSeq: string;
  throughSeq: string;
}

export interface NewCheckpoint {
  chainId: string;
  seq: string;
  hash: string;
  time: Date;
  keyId: string;
  note: string;
}

export interface StoredCheckpointRow {
  id: string;
  chain_id: string;
  tenant_id: string | null;
  seq: string;
  hash: string;
  checkpointed_at: Date;
  key_id: string;
  note: string;
}

export interface DueDelivery {
  checkpoint_id: string;
  chain_id: string;
  seq: string;
  attempts: number;
  note: string;
}

/**
 * One checkpoint round, on one dedicated connection inside one transaction that holds the
 * checkpoint lock: read the moved chains, verify their new events, then record the checkpoints
 * and commit (or roll back).
 */
export interface CheckpointRound {
  movedChainsOfAllTenants(limit: number): Promise<MovedChain[]>;
  /** Streams the ranges' events ordered by chain then seq, in batches; the next is read once `onBatch` settles. */
  readSegments(ranges: readonly SegmentRange[], onBatch: (rows: SegmentRow[]) => Promise<void>): Promise<void>;
  /** Inserts; a (chain, seq) another round already recorded is skipped. Returns the ids recorded. */
  record(
    checkpoints: readonly NewCheckpoint[],
    queueWebhook: boolean,
  ): Promise<Array<{ id: string; chain_id: string }>>;
  commit(): Promise<void>;
  rollback(error?: Error): Promise<void>;
  /** Statements sent in this round (for the figures in docs/audit.md). */
  readonly statements: number;
}

export type SegmentRow = StoredChainedEvent & { chain_id: string };

/**
 * The only code that writes `audit_checkpoints` and `audit_checkpoint_deliveries` (verifyChain
 * reads the checkpoints in its own snapshot). Raw SQL: advisory locks, a cursor over many
 * chains, unnest batch inserts and `FOR UPDATE SKIP LOCKED` claims
 * (docs/architecture.md#raw-sql-or-typeorm).
 */
@Injectable()
export class AuditCheckpointStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** null: another instance is making checkpoints right now. */
  async beginRound(): Promise<CheckpointRound | null> {
    const client = await dedicatedClient(this.dataSource);
    let statements = 0;
    const query = <T extends object>(sql: string, params?: unknown[]) => {
      statements += 1;
      return client.query<T>(sql, params);
    };
    try {
      await query('BEGIN');
      const { rows } = await query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
        CHECKPOINT_LOCK,
      ]);
      if (!rows[0].locked) {
        await query('ROLLBACK');
        client.release();
        return null;
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return {
      get statements() {
        return statements;
      },
      movedChainsOfAllTenants: async (limit) =>
        (
          await query<MovedChain>(
            `SELECT h.chain_id, h.last_seq::text AS head_seq, h.last_hash AS head_hash,
               c.seq::text AS checkpoint_seq, c.hash AS checkpoint_hash,
               date_trunc('milliseconds', clock_timestamp()) AS now
             FROM audit_chain_heads h
             LEFT JOIN LATERAL (
               SELECT seq, hash FROM audit_checkpoints c WHERE c.chain_id = h.chain_id ORDER BY seq DESC LIMIT 1
             ) c ON true
             WHERE h.last_seq > COALESCE(c.seq, 0)
             ORDER BY h.last_seq - COALESCE(c.seq, 0), h.chain_id
             LIMIT $1`,
            [limit],
          )
        ).rows,
      readSegments: async (ranges, onBatch) => {
        if (ranges.length === 0) return;
        // One index range per chain (LATERAL): joined plainly, the planner expects most of the
        // table and merge-joins the whole (chain_id, seq) index (7 s instead of 80 ms for 1,000
        // chains × 5 events). Rows come chain by chain, each chain's in seq order (the subquery's
        // ORDER BY); the verifier would refuse a chain whose rows arrived out of order.
        await query(
          `DECLARE checkpoint_segments NO SCROLL CURSOR FOR
           SELECT e.* FROM unnest($1::uuid[], $2::int8[], $3::int8[]) AS r(chain_id, after_seq, through_seq)
           CROSS JOIN LATERAL (
             SELECT ${eventColumnsSql('audit_events')} FROM audit_events
             WHERE audit_events.chain_id = r.chain_id AND audit_events.seq > r.after_seq AND audit_events.seq <= r.through_seq
             ORDER BY audit_events.seq
           ) e`,
          [ranges.map((r) => r.chainId), ranges.map((r) => r.afterSeq), ranges.map((r) => r.throughSeq)],
        );
        for (;;) {
          const { rows } = await query<SegmentRow>(`FETCH ${ROWS_PER_FETCH} FROM checkpoint_segments`);
          if (rows.length > 0) await onBatch(rows);
          if (rows.length < ROWS_PER_FETCH) break;
        }
        await query('CLOSE checkpoint_segments');
      },
      record: async (checkpoints, queueWebhook) => {
        if (checkpoints.length === 0) return [];
        const { rows } = await query<{ id: string; chain_id: string }>(
          `WITH made AS (
             INSERT INTO audit_checkpoints (chain_id, tenant_id, seq, hash, checkpointed_at, key_id, note)
             SELECT c, NULLIF(c, '00000000-0000-0000-0000-000000000000'::uuid), s, h, t, k, n
             FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS x(c, s, h, t, k, n)
             ON CONFLICT (chain_id, seq) DO NOTHING
             RETURNING id, chain_id
           ), queued AS (
             INSERT INTO audit_checkpoint_deliveries (checkpoint_id, sink) SELECT id, 'webhook' FROM made WHERE $7::boolean
           )
           SELECT id::text AS id, chain_id FROM made`,
          [
            checkpoints.map((c) => c.chainId),
            checkpoints.map((c) => c.seq),
            checkpoints.map((c) => c.hash),
            checkpoints.map((c) => c.time),
            checkpoints.map((c) => c.keyId),
            checkpoints.map((c) => c.note),
            queueWebhook,
          ],
        );
        return rows;
      },
      commit: async () => {
        await query('COMMIT');
        client.release();
      },
      rollback: async (error) => {
        try {
          await query('ROLLBACK');
          client.release();
        } catch (failed) {
          client.release((error ?? failed) as Error);
        }
      },
    };
  }

  /** Newest first within the selection; a tenant sees its own chain only. */
  async list(selection: TenantSelection, beforeId: string | undefined, limit: number): Promise<StoredCheckpointRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (!isAllTenants(selection)) {
      params.push(selection.tenantId);
      conditions.push(`chain_id = $${params.length}`);
    }
    if (beforeId !== undefined) {
      params.push(beforeId);
      conditions.push(`id < $${params.length}`);
    }
    params.push(limit);
    return this.dataSource.query<StoredCheckpointRow[]>(
      `SELECT id::text AS id, chain_id, tenant_id, seq::text AS seq, hash, checkpointed_at, key_id, note
       FROM audit_checkpoints ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY audit_checkpoints.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Claims up to `limit` due webhook deliveries for `leaseSeconds` (other instances skip them),
   * counting the attempt. Every tenant's: the outbox is the broker's.
   */
  async claimDueDeliveriesOfAllTenants(limit: number, leaseSeconds: number): Promise<DueDelivery[]> {
    return this.dataSource.query<DueDelivery[]>(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      `WITH due AS (
         SELECT checkpoint_id, sink FROM audit_checkpoint_deliveries
         WHERE delivered_at IS NULL AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE audit_checkpoint_deliveries d
         SET attempts = d.attempts + 1, locked_until = now() + make_interval(secs => $2)
         FROM due, audit_checkpoints c
         WHERE d.checkpoint_id = due.checkpoint_id AND d.sink = due.sink AND c.id = d.checkpoint_id
         RETURNING d.checkpoint_id::text AS checkpoint_id, c.chain_id, c.seq::text AS seq, d.attempts, c.note
       )
       SELECT * FROM claimed ORDER BY checkpoint_id::bigint`,
      [limit, leaseSeconds],
    );
  }

  async markDelivered(checkpointId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE audit_checkpoint_deliveries SET delivered_at = now(), locked_until = NULL, last_error = NULL
       WHERE checkpoint_id = $1 AND sink = 'webhook'`,
      [checkpointId],
    );
  }

  async scheduleRetry(checkpointId: string, afterSeconds: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE audit_checkpoint_deliveries
       SET next_attempt_at = now() + make_interval(secs => $2), locked_until = NULL, last_error = left($3, 512)
       WHERE checkpoint_id = $1 AND sink = 'webhook'`,
      [checkpointId, afterSeconds, error],
    );
  }

  /** Webhook deliveries not yet made (a gauge for operators). */
  async pendingDeliveriesOfAllTenants(): Promise<number> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM audit_checkpoint_deliveries WHERE delivered_at IS NULL`,
    );
    return n;
  }
}
