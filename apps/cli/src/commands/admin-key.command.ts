import { AuditService, AuditStore, BROKER_CHAIN } from '@app/audit';
import { ApiKeyEntity, ApiKeysStore, generateApiKey } from '@app/auth';
import { TenantEntity } from '@app/tenants';
import { buildDataSourceOptions } from '@app/database';
import type { Command } from 'commander';
import { DataSource } from 'typeorm';
import { openDatabaseTarget } from '../database-target';
import { CliError, EXIT, type Output } from '../output';

interface CreateOptions {
  name: string;
  expiresAt?: string;
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * `sso-broker admin-key create`: the recovery path when every admin key is lost, revoked or
 * expired (modelled on Keycloak's bootstrap-admin). It works on the database directly, not through
 * the API (there is no key to call it with), creates an admin key, prints it once, and records
 * `api_key.created` on the broker-wide audit chain with the CLI as the actor.
 */
export function registerAdminKeyCommands(program: Command, output: Output): void {
  const adminKey = program.command('admin-key').description('Admin keys, straight in the database (recovery)');
  adminKey
    .command('create')
    .description('Create an admin key in the database and print it once (for a lost admin key)')
    .requiredOption('--name <name>', 'a name for the key, e.g. "recovery 2026-12-04"')
    .option('--expires-at <time>', 'ISO 8601 time after which the key stops working')
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: DATABASE_MIGRATION_URL, DATABASE_URL, or the embedded cluster)',
    )
    .option('--data-dir <dir>', "the broker's DATA_DIR, to find its embedded cluster (default: DATA_DIR or ./.data)")
    .action(async (options: CreateOptions) => output.done(await createAdminKey(options, output)));
}

async function createAdminKey(options: CreateOptions, output: Output) {
  const expiresAt = options.expiresAt === undefined ? null : new Date(options.expiresAt);
  if (expiresAt !== null && !(expiresAt.getTime() > Date.now())) {
    throw new CliError(EXIT.USAGE, '--expires-at must be a time in the future');
  }
  const name = options.name.trim();
  if (name.length === 0 || name.length > 200) throw new CliError(EXIT.USAGE, '--name must be 1 to 200 characters');
  const target = await openDatabaseTarget(options, process.env, (line) => output.note(line));
  const dataSource = new DataSource({
    ...buildDataSourceOptions({ url: target.url, poolSize: 1, applicationName: 'sso-broker-cli' }),
    entities: [ApiKeyEntity, TenantEntity],
  });
  try {
    await dataSource.initialize();
    const keys = new ApiKeysStore(dataSource);
    const audit = new AuditService(new AuditStore(dataSource));
    const secret = generateApiKey('admin');
    const created = await dataSource.transaction(async (tx) => {
      const key = await keys.insert(
        null,
        { name, role: 'admin', prefix: secret.prefix, keyHash: secret.hash, expiresAt },
        tx,
      );
      await audit.record(tx, {
        action: 'api_key.created',
        outcome: 'success',
        scope: BROKER_CHAIN,
        ctx: AuditService.systemContext('cli:admin-key create'),
        metadata: {
          key_id: key.id,
          name,
          role: 'admin',
          prefix: secret.prefix,
          expires_at: expiresAt?.toISOString() ?? null,
          via: 'cli',
        },
      });
      return key;
    });
    return {
      human: framed([
        'New admin key (shown once, store it now):',
        '',
        secret.key,
        '',
        `id ${created.id}, name "${name}"`,
      ]),
      json: {
        id: created.id,
        key: secret.key,
        prefix: secret.prefix,
        name,
        role: 'admin',
        expires_at: expiresAt?.toISOString() ?? null,
      },
    };
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await target.close();
  }
}

function framed(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return [rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule].join('\n');
}
