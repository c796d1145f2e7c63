import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { eventHash } from '../chain/canonical-event';
import { ChainVerifier, type ChainProblem } from '../chain/chain-verifier';
import type { StoredChainedEvent } from '../chain/chained-event';
import { openCheckpoint, type OpenedCheckpoint } from '../checkpoints/checkpoint-note';
import type { NoteVerifierKey } from '../checkpoints/signed-note';
import { BROKER_CHAIN_ID } from '../store/audit-chain';
import type { ExternalCheckpoint, LatestCheckpoint } from '../store/verify-chain';

/** One line of an NDJSON export: the event as the list API shows it (docs/api.md#audit-events). */
interface ExportedEvent {
  id: string;
  tenant_id: string | null;
  chain_id?: string;
  seq: number;
  occurred_at: string;
  action: string;
  outcome: StoredChainedEvent['outcome'];
  actor: { type: StoredChainedEvent['actor_type']; id: string | null; role: string | null };
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  connection_id: string | null;
  provider: string | null;
  subject: { login?: string; user_id?: string; external_id?: string };
  link_id: string | null;
  token_fingerprint: string | null;
  error_code: string | null;
  metadata: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function storedEventOf(line: ExportedEvent): StoredChainedEvent {
  return {
    id: line.id,
    tenant_id: line.tenant_id,
    seq: String(line.seq),
    occurred_at: new Date(line.occurred_at),
    action: line.action,
    outcome: line.outcome,
    actor_type: line.actor.type,
    actor_id: line.actor.id,
    actor_role: line.actor.role,
    ip: line.ip,
    user_agent: line.user_agent,
    request_id: line.request_id,
    connection_id: line.connection_id,
    provider: line.provider,
    subject_login: line.subject.login ?? null,
    subject_user_id: line.subject.user_id ?? null,
    subject_external_id: line.subject.external_id ?? null,
    link_id: line.link_id,
    token_fingerprint: line.token_fingerprint,
    error_code: line.error_code,
    metadata: line.metadata,
    prev_hash: line.prev_hash,
    hash: line.hash,
  };
}

/** What the first pass keeps of each event: its links, and whether its content matched its hash. */
class ChainColumns {
  tenantId: string | null = null;
  readonly seqs: number[] = [];
  readonly prev: string[] = [];
  readonly hashes: string[] = [];
  readonly times: number[] = [];
  readonly contentOk: boolean[] = [];
}

export interface ExportChainVerdict {
  chain_id: string;
  tenant_id: string | null;
  /** The lowest seq in the file: a slice starting later is checked from there on. */
  first_seq: number | null;
  events_checked: number;
  ok: boolean;
  first_broken_seq: number | null;
  head_seq: number | null;
  head_hash: string | null;
  checkpoints_checked: number;
  /** Checkpoints of this chain below the slice (nothing to compare them with). */
  checkpoints_before_export: number;
  latest_checkpoint: LatestCheckpoint | null;
  problems: ChainProblem[];
}

export interface ExportVerdict {
  ok: boolean;
  /** Lines that are not events of the export format (counted, never skipped silently). */
  malformed_lines: number;
  chains: ExportChainVerdict[];
}

/**
 * Offline verification of NDJSON exports (docs/audit.md#offline-verification): no database, only
 * the files, the checkpoints and the public keys. First pass: every line is parsed and its hash
 * recomputed from its own content (each line carries its chain id, seq, prev_hash and hash); the
 * links are kept per chain. Second pass, per chain in seq order: seq without gaps, prev_hash
 * links, time order, the verifying machine's clock, and every checkpoint of the chain whose seq
 * lies in the file's slice. A checkpoint beyond the slice's last event names the seq the export
 * lacks, as the database check does: export the chain up to now to check against all of them.
 * Memory: about 200 bytes per event (the links), not the events.
 */
export async function verifyExportFiles(
  files: readonly string[],
  options: {
    keys: readonly NoteVerifierKey[];
    checkpoints: readonly ExternalCheckpoint[];
    chainId?: string;
    now?: Date;
  },
): Promise<ExportVerdict> {
  const chains = new Map<string, ChainColumns>();
  let malformed = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const text of lines) {
      if (text === '') continue;
      let line: ExportedEvent;
      try {
        line = JSON.parse(text) as ExportedEvent;
        if (typeof line !== 'object' || line === null || typeof line.seq !== 'number') throw new Error('not an event');
      } catch {
        malformed += 1;
        continue;
      }
      const chainId = line.chain_id ?? line.tenant_id ?? BROKER_CHAIN_ID;
      if (options.chainId !== undefined && chainId !== options.chainId) continue;
      let columns = chains.get(chainId);
      if (!columns) chains.set(chainId, (columns = new ChainColumns()));
      columns.tenantId = line.tenant_id;
      let ok: boolean;
      try {
        ok = eventHash(storedEventOf(line)) === line.hash;
      } catch {
        ok = false;
      }
      columns.seqs.push(line.seq);
      columns.prev.push(line.prev_hash);
      columns.hashes.push(line.hash);
      columns.times.push(Date.parse(line.occurred_at));
      columns.contentOk.push(ok);
    }
  }
  const opened = openAll(options.checkpoints, options.keys);
  const verdicts = [...chains.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([chainId, columns]) => verifyColumns(chainId, columns, opened, options.now ?? new Date()));
  return {
    ok: malformed === 0 && verdicts.length > 0 && verdicts.every((v) => v.ok),
    malformed_lines: malformed,
    chains: verdicts,
  };
}

type OpenedExternal = { chainId: string; opened: OpenedCheckpoint; source: string; note: string };

function openAll(checkpoints: readonly ExternalCheckpoint[], keys: readonly NoteVerifierKey[]) {
  const good: OpenedExternal[] = [];
  const bad: Array<{ chainId: string | null; seq: bigint; source: string; error: string }> = [];
  for (const { note, source } of checkpoints) {
    try {
      const opened = openCheckpoint(note, keys);
      good.push({ chainId: opened.chainId, opened, source, note });
    } catch (error) {
      const head = /^[^\n]*\/([0-9a-f-]{36})\n([1-9]\d*)\n/.exec(note);
      bad.push({
        chainId: head ? head[1] : null,
        seq: head ? BigInt(head[2]) : 1n,
        source,
        error: (error as Error).message,
      });
    }
  }
  return { good, bad };
}

function verifyColumns(
  chainId: string,
  columns: ChainColumns,
  checkpoints: ReturnType<typeof openAll>,
  now: Date,
): ExportChainVerdict {
  const order = columns.seqs.map((_, i) => i).sort((a, b) => columns.seqs[a] - columns.seqs[b]);
  const firstSeq = columns.seqs[order[0]];
  const verifier = new ChainVerifier({
    now,
    start: firstSeq > 1 ? { seq: BigInt(firstSeq - 1), hash: null } : undefined,
  });
  let checked = 0;
  let before = 0;
  let latest: LatestCheckpoint | null = null;
  for (const { chainId: of, opened, source, note } of checkpoints.good) {
    if (of !== chainId) continue;
    const seq = BigInt(opened.seq);
    if (seq < BigInt(firstSeq)) {
      before += 1;
      continue;
    }
    checked += 1;
    verifier.anchor({ seq, hash: opened.hash, source: `the checkpoint in ${source}` });
    if (latest === null || seq > BigInt(latest.seq))
      latest = {
        seq: Number(opened.seq),
        hash: opened.hash,
        time: opened.time.toISOString(),
        origin: opened.origin,
        key_name: opened.keyName,
        key_id: opened.keyId,
        source: 'file',
        note,
      };
  }
  for (const bad of checkpoints.bad)
    if (bad.chainId === chainId) verifier.invalidAnchor(bad.seq, `${bad.source}: ${bad.error}`);
  for (const i of order)
    verifier.pushLink(
      {
        seq: BigInt(columns.seqs[i]),
        prevHash: columns.prev[i],
        hash: columns.hashes[i],
        occurredAtMs: columns.times[i],
      },
      columns.contentOk[i],
    );
  const verdict = verifier.finish();
  return {
    chain_id: chainId,
    tenant_id: columns.tenantId,
    first_seq: firstSeq ?? null,
    events_checked: verdict.events_checked,
    ok: verdict.ok,
    first_broken_seq: verdict.first_broken_seq,
    head_seq: verdict.head_seq,
    head_hash: verdict.head_hash,
    checkpoints_checked: checked,
    checkpoints_before_export: before,
    latest_checkpoint: latest,
    problems: verdict.problems,
  };
}
