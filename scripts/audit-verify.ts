import { auditVerifyCommand, type CliIo } from '@app/audit';

/**
 * Stand-alone chain check for auditors who do not trust the running broker (docs/audit.md#verify):
 *
 *   npm run audit:verify -- --tenant <tenant uuid | broker> [--database-url postgres://...]
 *       [--checkpoint <file | dir>]... [--public-key <verifier key | file>]...
 *   npm run audit:verify -- --export <file.ndjson> --checkpoint <dir> --public-key <verifier key>
 *
 * The logic is libs/audit's auditVerifyCommand; this file only binds it to the process. Prints
 * the verdict as JSON; exit code 0 when intact, 1 when broken, 2 on usage or connection errors.
 */
export type { CliIo };

export function auditVerifyCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  return auditVerifyCommand(argv, env, io);
}

if (require.main === module) {
  auditVerifyCli(process.argv.slice(2), process.env, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  })
    .then((code) => process.exit(code))
    .catch(() => process.exit(2));
}
