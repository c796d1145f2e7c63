import { ok, type components } from '@sso-broker/client';
import type { Command } from 'commander';
import { apiClient } from '../api/api-context';
import { collect, pairs, readObjectFile } from '../api/read-file';
import { CliError, EXIT, table, type Output } from '../output';

type Connection = components['schemas']['ConnectionDto'];
const connectionRows = (connections: Connection[]) =>
  table(
    ['id', 'name', 'provider', 'base url', 'credential', 'updated'],
    connections.map((c) => [
      c.id,
      c.name,
      c.provider,
      c.base_url,
      `${c.credential.kind} v${c.credential.version}`,
      c.updated_at,
    ]),
  );

interface CreateOptions {
  tenant: string;
  file?: string;
  name?: string;
  provider?: string;
  baseUrl?: string;
  setting?: string[];
  credential?: string[];
}

/** `sso-broker connections list|create|check|rotate --tenant <id>` (admin key). */
export function registerConnectionCommands(program: Command, output: Output): void {
  const connections = program.command('connections').description("A tenant's upstream connections (admin key)");
  const path = (tenant: string) => ({ params: { path: { tenant_id: tenant } } });
  const onePath = (tenant: string, id: string) => ({ params: { path: { tenant_id: tenant, connection_id: id } } });

  connections
    .command('list')
    .description("List a tenant's connections")
    .requiredOption('--tenant <tenant-id>', 'the tenant')
    .action(async (options: { tenant: string }, command: Command) => {
      const client = apiClient(command);
      const all: Connection[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(
          client.GET('/v1/tenants/{tenant_id}/connections', {
            params: { path: { tenant_id: options.tenant }, query: { limit: 100, cursor } },
          }),
        );
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      output.done({ human: connectionRows(all), json: all });
    });

  connections
    .command('create')
    .description('Create a connection from flags, or from a JSON or YAML file (the API body; flags override it)')
    .requiredOption('--tenant <tenant-id>', 'the tenant')
    .option('--file <path>', 'JSON or YAML file with the connection (name, provider, base_url, settings, credentials…)')
    .option('--name <name>', 'connection name, e.g. acronis-eu')
    .option('--provider <kind>', 'acronis or flussonic')
    .option('--base-url <url>', 'the upstream, e.g. https://eu2-cloud.acronis.com')
    .option('--setting <key=value>', 'a provider setting (repeatable; JSON values allowed)', collect)
    .option('--credential <key=value>', 'a credential field (repeatable)', collect)
    .action(async (options: CreateOptions, command: Command) => {
      const body: Record<string, unknown> = {
        ...(options.file ? readObjectFile(options.file) : {}),
        ...defined({
          name: options.name,
          provider: options.provider,
          base_url: options.baseUrl,
          settings: pairs(options.setting, '--setting'),
          credentials: pairs(options.credential, '--credential'),
        }),
      };
      for (const field of ['name', 'provider', 'base_url', 'credentials']) {
        if (body[field] === undefined)
          throw new CliError(EXIT.USAGE, `${field} missing: give it as a flag or in --file`);
      }
      const created = await ok(
        apiClient(command).POST('/v1/tenants/{tenant_id}/connections', {
          ...path(options.tenant),
          body: body as components['schemas']['CreateConnectionDto'],
        }),
      );
      output.done({ human: connectionRows([created]), json: created });
    });

  connections
    .command('check <connection-id>')
    .description('Prove the credential works upstream (exit 1 when it does not)')
    .requiredOption('--tenant <tenant-id>', 'the tenant')
    .action(async (connectionId: string, options: { tenant: string }, command: Command) => {
      const result = await ok(
        apiClient(command).POST(
          '/v1/tenants/{tenant_id}/connections/{connection_id}/check',
          onePath(options.tenant, connectionId),
        ),
      );
      const human = result.ok ? `ok: ${result.detail}` : `failed: ${result.code ?? 'upstream_error'}: ${result.detail}`;
      output.done({ human, json: result, exitCode: result.ok ? EXIT.OK : EXIT.FAILED });
    });

  connections
    .command('rotate <connection-id>')
    .description('Replace the credential (from flags or a JSON/YAML file); the credential version increments')
    .requiredOption('--tenant <tenant-id>', 'the tenant')
    .option('--file <path>', 'JSON or YAML file with the credential object')
    .option('--credential <key=value>', 'a credential field (repeatable)', collect)
    .action(async (connectionId: string, options: CreateOptions, command: Command) => {
      const credentials = {
        ...(options.file ? readObjectFile(options.file) : {}),
        ...pairs(options.credential, '--credential'),
      };
      if (Object.keys(credentials).length === 0)
        throw new CliError(EXIT.USAGE, 'give --credential key=value or --file');
      const updated = await ok(
        apiClient(command).PUT('/v1/tenants/{tenant_id}/connections/{connection_id}/credentials', {
          ...onePath(options.tenant, connectionId),
          body: credentials as components['schemas']['FlussonicCredentialsDto'],
        }),
      );
      output.done({ human: connectionRows([updated]), json: updated });
    });
}

function defined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
