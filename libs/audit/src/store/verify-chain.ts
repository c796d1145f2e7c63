import type { ClientBase } from 'pg';
import QueryStream from 'pg-query-stream';
import { ChainVerifier, type ChainVerdict } from '../chain/chain-verifier';
import { EVENT_COLUMNS_SQL } from './audit-event-filter.sql';
import type { StoredChainedEvent } from '../chain/chained-event';

/**
 * Streams one chain in seq order from a server-side cursor through the verifier. Shared by the
 * API and the stand-alone CLI, so both run exactly the same check. The client must be dedicated
 * to this call; the read runs in one REPEATABLE READ snapshot so concurrent appends do not race
 * the head check.
 */
export async function verifyChain(client: ClientBase, chainId: string): Promise<ChainVerdict> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    const verifier = new ChainVerifier();
    const stream = client.query(
      new QueryStream(
        `SELECT ${EVENT_COLUMNS_SQL} FROM audit_events WHERE chain_id = $1 ORDER BY audit_events.seq`,
        [chainId],
        { batchSize: 2000 },
      ),
    );
    for await (const row of stream) verifier.push(row as StoredChainedEvent);
    const heads = await client.query<{ last_seq: string; last_hash: string }>(
      'SELECT last_seq::text AS last_seq, last_hash FROM audit_chain_heads WHERE chain_id = $1',
      [chainId],
    );
    const head = heads.rows[0];
    return verifier.finish(head ? { lastSeq: head.last_seq, lastHash: head.last_hash } : null);
  } finally {
    await client.query('COMMIT');
  }
}
