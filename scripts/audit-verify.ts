import { Client } from 'pg';
import { BROKER_CHAIN_ID, verifyChain } from '@app/audit';

/**
 * Stand-alone chain check for auditors who do not trust the running broker: it needs only a
 * database URL (read access to audit_events and audit_chain_heads) and runs the same streaming
 * verifier as GET /v1/audit-events/verify.
 *
 *   npm run audit:verify -- --tenant <tenant uuid | broker> [--database-url postgres://...]
 *
 * Prints the verdict as JSON; exit code 0 when the chain is intact, 1 when broken, 2 on usage
 * or connection errors.
 */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = 'usage: audit-verify --tenant <tenant uuid | broker> [--database-url <postgres url>] (or DATABASE_URL)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function auditVerifyCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  const databaseUrl = args['database-url'] ?? env.DATABASE_URL;
  const tenant = args.tenant;
  if (!databaseUrl || !tenant || (tenant !== 'broker' && !UUID.test(tenant))) {
    io.err(USAGE);
    return 2;
  }
  const tenantId = tenant === 'broker' ? null : tenant.toLowerCase();
  const client = new Client({ connectionString: databaseUrl, application_name: 'sso-broker-audit-verify' });
  try {
    await client.connect();
    const verdict = await verifyChain(client, tenantId ?? BROKER_CHAIN_ID);
    io.out(JSON.stringify({ tenant_id: tenantId, ...verdict }));
    return verdict.ok ? 0 : 1;
  } catch (error) {
    io.err(`audit-verify failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) continue;
    if (match[2] !== undefined) args[match[1]] = match[2];
    else if (i + 1 < argv.length) args[match[1]] = argv[++i];
  }
  return args;
}

if (require.main === module) {
  auditVerifyCli(process.argv.slice(2), process.env, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  })
    .then((code) => process.exit(code))
    .catch(() => process.exit(2));
}
