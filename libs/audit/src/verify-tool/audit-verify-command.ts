import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DEV_SIGNING_KEY_FILE, readDevSigningKey } from '../checkpoints/dev-signing-key';
import { parseVerifierKey, type NoteVerifierKey } from '../checkpoints/signed-note';
import { AuditSigningKeyRing } from '../checkpoints/signing-key-ring';
import { BROKER_CHAIN_ID } from '../store/audit-chain';
import { verifyChain } from '../store/verify-chain';
import { checkpointFilesOf, readCheckpointFiles, streamNotes } from './checkpoint-files';
import { verifyExportFiles } from './verify-export';

/**
 * The audit verification command (`npm run audit:verify`, scripts/audit-verify.ts), kept here so
 * that other front ends can run it: an auditor who does not trust the running broker checks a
 * chain in the database, or NDJSON export files with no database at all, against signed
 * checkpoints and pinned public keys (docs/audit.md#verify, #offline-verification).
 */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Events checked so far of a chain of `total` (database mode). */
  progress?: (checked: number, total: number) => void;
}

export const AUDIT_VERIFY_USAGE = `usage: audit-verify --tenant <tenant uuid | broker> [options]        (the database)
       audit-verify --export <file.ndjson> [--tenant <uuid | broker>] [options]   (offline)
options:
  --database-url <postgres url>   default DATABASE_URL, else the embedded cluster of --data-dir
  --data-dir <dir>                default DATA_DIR, else ./.data
  --checkpoint <file | dir>       checkpoint notes (repeatable); default <data dir>/checkpoints if it exists
  --public-key <vkey | file>      pinned verifier key <name>+<hex id>+<base64> (repeatable), or a file of
                                  them (one a line, or the JSON of GET /v1/audit-checkpoints/public-keys);
                                  default BROKER_AUDIT_SIGNING_KEYS, else <data dir>/${DEV_SIGNING_KEY_FILE}
  --export <file>                 an NDJSON export to verify offline (repeatable)
exit code: 0 intact, 1 broken, 2 usage or connection error`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The embedded mode's database and least-privilege login (docs/architecture.md#5-operations). */
const EMBEDDED_DATABASE = 'broker';
const EMBEDDED_APP_LOGIN = 'sso_broker_app';
const REPEATABLE = new Set(['checkpoint', 'public-key', 'export']);
const KNOWN = new Set(['tenant', 'database-url', 'data-dir', ...REPEATABLE]);

class UsageError extends Error {}

export async function auditVerifyCommand(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let args: Map<string, string[]>;
  try {
    args = parseArgs(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n${AUDIT_VERIFY_USAGE}`);
    return 2;
  }
  const one = (name: string) => args.get(name)?.[0];
  const tenant = one('tenant');
  const exports = args.get('export') ?? [];
  if (
    (tenant !== undefined && tenant !== 'broker' && !UUID.test(tenant)) ||
    (tenant === undefined && !exports.length)
  ) {
    io.err(AUDIT_VERIFY_USAGE);
    return 2;
  }
  const chainId = tenant === undefined ? undefined : tenant === 'broker' ? BROKER_CHAIN_ID : tenant.toLowerCase();
  const dataDir = resolve(one('data-dir') ?? env.DATA_DIR ?? './.data');
  let keys: { keys: NoteVerifierKey[]; source: string | null };
  let checkpoints: { files: string[]; paths: string[] };
  try {
    keys = publicKeys(args.get('public-key') ?? [], env, dataDir);
    checkpoints = checkpointFiles(args.get('checkpoint'), dataDir);
    if (args.has('checkpoint') && keys.keys.length === 0)
      throw new UsageError('checkpoints need a public key to be checked: pass --public-key');
  } catch (error) {
    io.err(`audit-verify: ${(error as Error).message}`);
    return 2;
  }
  const context = { public_keys: keys.source, checkpoint_files: checkpoints.paths };

  if (exports.length > 0) {
    try {
      const notes = readCheckpointFiles(checkpoints.files);
      const verdict = await verifyExportFiles(exports, { keys: keys.keys, checkpoints: notes, chainId });
      io.out(JSON.stringify({ mode: 'export', files: exports, ...context, ...verdict }));
      for (const chain of verdict.chains) if (!chain.ok) reportBroken(io, chain.chain_id, chain.problems);
      if (verdict.malformed_lines > 0) io.err(`audit-verify: ${verdict.malformed_lines} lines are not events`);
      if (verdict.chains.length === 0) io.err('audit-verify: no events of the chain in the export');
      return verdict.ok ? 0 : 1;
    } catch (error) {
      io.err(`audit-verify failed: ${(error as Error).message}`);
      return 2;
    }
  }

  let databaseUrl: string;
  try {
    databaseUrl = one('database-url') ?? env.DATABASE_URL ?? embeddedDatabaseUrl(dataDir);
  } catch (error) {
    io.err(`audit-verify: ${(error as Error).message}\n${AUDIT_VERIFY_USAGE}`);
    return 2;
  }
  const client = new Client({ connectionString: databaseUrl, application_name: 'sso-broker-audit-verify' });
  try {
    await client.connect();
    // Each file is one source in seq order, merged with the table's checkpoints as the chain is read.
    const external = checkpoints.files.map((file) => streamNotes(file));
    const verdict = await verifyChain(client, chainId!, { keys: keys.keys, external, onProgress: io.progress });
    const { events_checked, ok, first_broken_seq, ...rest } = verdict;
    const tenantId = chainId === BROKER_CHAIN_ID ? null : chainId!;
    io.out(
      JSON.stringify({
        tenant_id: tenantId,
        events_checked,
        ok,
        first_broken_seq,
        chain_id: chainId,
        ...rest,
        ...context,
      }),
    );
    if (!ok) reportBroken(io, chainId!, verdict.problems);
    return ok ? 0 : 1;
  } catch (error) {
    io.err(`audit-verify failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function reportBroken(io: CliIo, chainId: string, problems: ReadonlyArray<{ seq: number; detail: string }>): void {
  for (const problem of problems) io.err(`chain ${chainId}: seq ${problem.seq}: ${problem.detail}`);
}

function parseArgs(argv: string[]): Map<string, string[]> {
  const args = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new UsageError(`unexpected argument: ${argv[i]}`);
    const [, name, inline] = match;
    if (!KNOWN.has(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = args.get(name) ?? [];
    if (list.length > 0 && !REPEATABLE.has(name)) throw new UsageError(`--${name} given twice`);
    args.set(name, [...list, value]);
  }
  return args;
}

/**
 * Pinned verifier keys first (what an auditor should use); else the broker's own configuration
 * on this machine: BROKER_AUDIT_SIGNING_KEYS, or the development key file in DATA_DIR.
 */
function publicKeys(
  given: readonly string[],
  env: NodeJS.ProcessEnv,
  dataDir: string,
): { keys: NoteVerifierKey[]; source: string | null } {
  if (given.length > 0) {
    const keys = given.flatMap((value) => {
      if (!existsSync(value)) return [parseVerifierKey(value)];
      const text = readFileSync(value, 'utf8');
      const lines = text.trim().startsWith('{')
        ? (JSON.parse(text) as { keys: Array<{ verifier_key: string }> }).keys.map((k) => k.verifier_key)
        : text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
      return lines.map(parseVerifierKey);
    });
    return { keys: keys.map(({ name, publicKey }) => ({ name, publicKey })), source: 'pinned (--public-key)' };
  }
  if (env.BROKER_AUDIT_SIGNING_KEYS)
    return { keys: ringKeys(env.BROKER_AUDIT_SIGNING_KEYS), source: 'BROKER_AUDIT_SIGNING_KEYS' };
  const devKey = join(dataDir, DEV_SIGNING_KEY_FILE);
  if (existsSync(devKey)) return { keys: ringKeys(readDevSigningKey(devKey)), source: devKey };
  return { keys: [], source: null };
}

function ringKeys(entries: string): NoteVerifierKey[] {
  return AuditSigningKeyRing.parse(entries)
    .publicKeys()
    .map(({ publicKey }) => ({ publicKey }));
}

/** The files given with --checkpoint (a directory: every file in it), else the file sink of DATA_DIR if any. */
function checkpointFiles(given: string[] | undefined, dataDir: string): { files: string[]; paths: string[] } {
  const fallback = join(dataDir, 'checkpoints');
  const paths = given ?? (existsSync(fallback) && statSync(fallback).isDirectory() ? [fallback] : []);
  return { files: checkpointFilesOf(paths), paths };
}

/** The embedded cluster the README's default setup runs, from its state file in DATA_DIR. */
function embeddedDatabaseUrl(dataDir: string): string {
  const stateFile = join(dataDir, 'embedded-postgres.json');
  if (!existsSync(stateFile))
    throw new UsageError(`no --database-url, no DATABASE_URL, and no embedded cluster state in ${stateFile}`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { port: number; appPassword: string };
  return `postgres://${EMBEDDED_APP_LOGIN}:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/${EMBEDDED_DATABASE}`;
}
