import type { ClientBase } from 'pg';
import { forEachYielding } from '@app/common';
import { ChainVerifier, type ChainVerdict } from '../chain/chain-verifier';
import type { StoredChainedEvent } from '../chain/chained-event';
import { openCheckpoint } from '../checkpoints/checkpoint-note';
import type { NoteVerifierKey } from '../checkpoints/signed-note';
import { EVENT_COLUMNS_SQL } from './audit-event-filter.sql';
import { ROWS_PER_FETCH } from './rows-per-fetch';

/** A checkpoint note from outside the database (a file sink copy), with where it was read. */
export interface ExternalCheckpoint {
  note: string;
  source: string;
}

export interface VerifyChainOptions {
  /**
   * Trusted checkpoint public keys. With keys, every checkpoint stored for the chain is checked
   * (signature, and that the chain holds exactly its hash at its seq); without, stored
   * checkpoints are not read (nothing could vouch for them).
   */
  keys?: readonly NoteVerifierKey[];
  /**
   * Checkpoints from outside the database (the file sink, copies an auditor keeps), each source
   * in seq order as the file sink writes it; notes of other chains are skipped. Requires keys.
   */
  external?: ReadonlyArray<Iterable<ExternalCheckpoint> | AsyncIterable<ExternalCheckpoint>>;
  /** Called after each batch with the events checked so far and the chain's length at the start (progress). */
  onProgress?: (checked: number, total: number) => void;
  /** The verifying clock; the database's by default. */
  now?: Date;
}

export interface LatestCheckpoint {
  seq: number;
  hash: string;
  time: string;
  origin: string;
  key_name: string;
  key_id: string;
  source: 'database' | 'file';
  note: string;
}

export interface ChainCheckVerdict extends ChainVerdict {
  checkpoints_checked: number;
  /** The newest checkpoint whose signature verified, whether or not the chain agrees with it. */
  latest_checkpoint: LatestCheckpoint | null;
}

interface Candidate {
  seq: bigint;
  note: string;
  label: string;
  source: LatestCheckpoint['source'];
  /** The table row's own seq and hash, which must agree with its note. */
  row?: { seq: string; hash: string };
}

/** The origin and size lines of a note, read without verifying it (to skip and order). */
const NOTE_HEAD = /^[^\n]*\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\n([1-9]\d{0,18})\n/;

/**
 * Streams one chain in seq order through the verifier, with its checkpoints (the table's, read
 * from a second cursor, and any external ones) merged in by seq, so memory stays flat however
 * long the chain and however many checkpoints. Shared by the API and the stand-alone CLI, so
 * both run exactly the same check. The client must be dedicated to this call; the database is
 * read in one REPEATABLE READ snapshot, so concurrent appends and checkpoints do not race the
 * head and checkpoint checks (an external checkpoint made after the snapshot may name a seq the
 * snapshot lacks; verify again, or use the database's checkpoints, which share the snapshot).
 */
export async function verifyChain(
  client: ClientBase,
  chainId: string,
  options: VerifyChainOptions = {},
): Promise<ChainCheckVerdict> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    const [{ now }] = (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows;
    const verifier = new ChainVerifier({ now: options.now ?? now });
    const keys = options.keys ?? [];
    const state = { checked: 0, latest: null as LatestCheckpoint | null, passed: 0n };
    const consider = (candidate: Candidate) => {
      if (candidate.seq <= state.passed) {
        verifier.invalidAnchor(candidate.seq, `${candidate.label}: out of seq order in its source`);
        return;
      }
      try {
        const opened = openCheckpoint(candidate.note, keys);
        if (opened.chainId !== chainId) return;
        if (candidate.row && (opened.seq !== candidate.row.seq || opened.hash !== candidate.row.hash.trim())) {
          verifier.invalidAnchor(candidate.seq, `${candidate.label}: its row does not match its note`);
          return;
        }
        state.checked += 1;
        verifier.anchor({ seq: BigInt(opened.seq), hash: opened.hash, source: candidate.label });
        if (state.latest === null || BigInt(opened.seq) > BigInt(state.latest.seq))
          state.latest = {
            seq: Number(opened.seq),
            hash: opened.hash,
            time: opened.time.toISOString(),
            origin: opened.origin,
            key_name: opened.keyName,
            key_id: opened.keyId,
            source: candidate.source,
            note: candidate.note,
          };
      } catch (error) {
        verifier.invalidAnchor(candidate.seq, `${candidate.label}: ${(error as Error).message}`);
      }
    };

    await client.query(
      `DECLARE chain_events NO SCROLL CURSOR FOR
       SELECT ${EVENT_COLUMNS_SQL} FROM audit_events WHERE chain_id = $1 ORDER BY audit_events.seq`,
      [chainId],
    );
    const sources: Array<AsyncIterator<Candidate>> = [];
    if (keys.length > 0) {
      await client.query(
        `DECLARE chain_checkpoints NO SCROLL CURSOR FOR
         SELECT id::text AS id, seq::text AS seq, hash, note FROM audit_checkpoints
         WHERE chain_id = $1 ORDER BY audit_checkpoints.seq`,
        [chainId],
      );
      sources.push(databaseCheckpoints(client)[Symbol.asyncIterator]());
      for (const source of options.external ?? []) sources.push(externalCheckpoints(source, chainId));
    }
    const pending = new Map<AsyncIterator<Candidate>, Candidate | null>();
    /** Anchors every checkpoint up to `seq` before the events up to `seq` are pushed. */
    const anchorThrough = async (seq: bigint) => {
      for (const source of sources) {
        for (;;) {
          let next = pending.get(source);
          if (next === undefined) {
            const step = await source.next();
            next = step.done ? null : step.value;
            pending.set(source, next);
          }
          if (next === null || next.seq > seq) break;
          pending.delete(source);
          consider(next);
        }
      }
    };
    const total = options.onProgress
      ? Number(
          (
            await client.query<{ last_seq: string }>(
              'SELECT last_seq::text AS last_seq FROM audit_chain_heads WHERE chain_id = $1',
              [chainId],
            )
          ).rows[0]?.last_seq ?? 0,
        )
      : 0;
    let pushed = 0;
    for (;;) {
      const { rows } = await client.query<StoredChainedEvent>(`FETCH ${ROWS_PER_FETCH} FROM chain_events`);
      if (rows.length === 0) break;
      await anchorThrough(BigInt(rows[rows.length - 1].seq));
      await forEachYielding(rows, (row) => verifier.push(row));
      state.passed = BigInt(rows[rows.length - 1].seq);
      pushed += rows.length;
      options.onProgress?.(pushed, total);
      if (rows.length < ROWS_PER_FETCH) break;
    }
    // Checkpoints beyond the last event: the chain is shorter than a signed statement says.
    await anchorThrough(BigInt('9223372036854775807'));
    const heads = await client.query<{ last_seq: string; last_hash: string; last_occurred_at: Date | null }>(
      'SELECT last_seq::text AS last_seq, last_hash, last_occurred_at FROM audit_chain_heads WHERE chain_id = $1',
      [chainId],
    );
    const head = heads.rows[0];
    const verdict = verifier.finish(
      head ? { lastSeq: head.last_seq, lastHash: head.last_hash, lastOccurredAt: head.last_occurred_at } : null,
    );
    return { ...verdict, checkpoints_checked: state.checked, latest_checkpoint: state.latest };
  } finally {
    await client.query('COMMIT');
  }
}

async function* databaseCheckpoints(client: ClientBase): AsyncGenerator<Candidate> {
  for (;;) {
    const { rows } = await client.query<{ id: string; seq: string; hash: string; note: string }>(
      `FETCH ${ROWS_PER_FETCH} FROM chain_checkpoints`,
    );
    for (const row of rows)
      yield {
        seq: BigInt(row.seq),
        note: row.note,
        label: `checkpoint ${row.id} (database)`,
        source: 'database',
        row: { seq: row.seq, hash: row.hash },
      };
    if (rows.length < ROWS_PER_FETCH) return;
  }
}

/** The notes of `chainId` in a source (any other chain's are skipped); unreadable ones at seq 1. */
async function* externalCheckpoints(
  source: Iterable<ExternalCheckpoint> | AsyncIterable<ExternalCheckpoint>,
  chainId: string,
): AsyncGenerator<Candidate> {
  for await (const { note, source: where } of source) {
    const head = NOTE_HEAD.exec(note);
    if (head && head[1] !== chainId) continue;
    yield { seq: head ? BigInt(head[2]) : 1n, note, label: `the checkpoint in ${where}`, source: 'file' };
  }
}
