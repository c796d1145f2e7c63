import type { ClientBase } from 'pg';
import { ChainVerifier, type ChainVerdict } from '../chain/chain-verifier';
import type { StoredChainedEvent } from '../chain/chained-event';
import { openCheckpoint, type OpenedCheckpoint } from '../checkpoints/checkpoint-note';
import type { NoteVerifierKey } from '../checkpoints/signed-note';
import { EVENT_COLUMNS_SQL } from './audit-event-filter.sql';

const BATCH = 2000;

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
  /** Checkpoints from outside the database (files); checked like stored ones. Requires keys. */
  external?: readonly ExternalCheckpoint[];
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

interface CheckpointRow {
  id: string;
  seq: string;
  hash: string;
  note: string;
}

/**
 * Streams one chain in seq order through the verifier, with the chain's stored checkpoints read
 * alongside from a second cursor (a merge by seq, so memory stays flat however long the chain).
 * Shared by the API and the stand-alone CLI, so both run exactly the same check. The client must
 * be dedicated to this call; everything is read in one REPEATABLE READ snapshot, so concurrent
 * appends and checkpoints do not race the head and checkpoint checks.
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
    let checked = 0;
    let latest: LatestCheckpoint | null = null;
    const consider = (opened: OpenedCheckpoint, source: LatestCheckpoint['source'], note: string, label: string) => {
      checked += 1;
      verifier.anchor({ seq: BigInt(opened.seq), hash: opened.hash, source: label });
      if (latest === null || BigInt(opened.seq) > BigInt(latest.seq))
        latest = {
          seq: Number(opened.seq),
          hash: opened.hash,
          time: opened.time.toISOString(),
          origin: opened.origin,
          key_name: opened.keyName,
          key_id: opened.keyId,
          source,
          note,
        };
    };
    for (const external of options.external ?? []) {
      const opened = openExternal(external, keys, chainId);
      if (opened === null) continue;
      if ('error' in opened) verifier.invalidAnchor(opened.seq, `${external.source}: ${opened.error}`);
      else consider(opened, 'file', external.note, `the checkpoint in ${external.source}`);
    }

    await client.query(
      `DECLARE chain_events NO SCROLL CURSOR FOR SELECT ${EVENT_COLUMNS_SQL} FROM audit_events WHERE chain_id = $1 ORDER BY audit_events.seq`,
      [chainId],
    );
    const readCheckpoints = keys.length > 0;
    if (readCheckpoints)
      await client.query(
        `DECLARE chain_checkpoints NO SCROLL CURSOR FOR
         SELECT id::text AS id, seq::text AS seq, hash, note FROM audit_checkpoints WHERE chain_id = $1 ORDER BY audit_checkpoints.seq`,
        [chainId],
      );
    let checkpointsLeft = readCheckpoints;
    let anchoredThrough = 0n;
    const anchorThrough = async (seq: bigint) => {
      while (checkpointsLeft && anchoredThrough < seq) {
        const { rows } = await client.query<CheckpointRow>(`FETCH ${BATCH} FROM chain_checkpoints`);
        if (rows.length < BATCH) checkpointsLeft = false;
        for (const row of rows) {
          anchoredThrough = BigInt(row.seq);
          const label = `checkpoint ${row.id} (database)`;
          try {
            const opened = openCheckpoint(row.note, keys);
            if (opened.chainId !== chainId || opened.seq !== row.seq || opened.hash !== row.hash)
              verifier.invalidAnchor(BigInt(row.seq), `${label}: its row does not match its note`);
            else consider(opened, 'database', row.note, label);
          } catch (error) {
            verifier.invalidAnchor(BigInt(row.seq), `${label}: ${(error as Error).message}`);
          }
        }
      }
    };
    for (;;) {
      const { rows } = await client.query<StoredChainedEvent>(`FETCH ${BATCH} FROM chain_events`);
      if (rows.length === 0) break;
      await anchorThrough(BigInt(rows[rows.length - 1].seq));
      for (const row of rows) verifier.push(row);
      if (rows.length < BATCH) break;
    }
    // Checkpoints beyond the last event: the chain is shorter than a signed statement says.
    await anchorThrough(BigInt(Number.MAX_SAFE_INTEGER));
    const heads = await client.query<{ last_seq: string; last_hash: string; last_occurred_at: Date | null }>(
      'SELECT last_seq::text AS last_seq, last_hash, last_occurred_at FROM audit_chain_heads WHERE chain_id = $1',
      [chainId],
    );
    const head = heads.rows[0];
    const verdict = verifier.finish(
      head ? { lastSeq: head.last_seq, lastHash: head.last_hash, lastOccurredAt: head.last_occurred_at } : null,
    );
    return { ...verdict, checkpoints_checked: checked, latest_checkpoint: latest };
  } finally {
    await client.query('COMMIT');
  }
}

/** null: a checkpoint of another chain (a directory holds every chain's file); else opened or why not. */
function openExternal(
  external: ExternalCheckpoint,
  keys: readonly NoteVerifierKey[],
  chainId: string,
): OpenedCheckpoint | { seq: bigint; error: string } | null {
  try {
    const opened = openCheckpoint(external.note, keys);
    return opened.chainId === chainId ? opened : null;
  } catch (error) {
    const seq = /^[^\n]*\/([0-9a-f-]{36})\n([1-9]\d*)\n/.exec(external.note);
    if (seq && seq[1] !== chainId) return null;
    return { seq: seq ? BigInt(seq[2]) : 1n, error: (error as Error).message };
  }
}
