import { ok, type components } from '@sso-broker/client';
import type { Command } from 'commander';
import { apiClient } from '../api/api-context';
import { CliError, EXIT, table, type Output } from '../output';

type Tenant = components['schemas']['TenantDto'];
const tenantRows = (tenants: Tenant[]) =>
  table(
    ['id', 'slug', 'name', 'status', 'created'],
    tenants.map((t) => [t.id, t.slug, t.name, t.status, t.created_at]),
  );

/** `sso-broker tenants list|create|suspend|resume|delete` (admin key). */
export function registerTenantCommands(program: Command, output: Output): void {
  const tenants = program.command('tenants').description('Tenants (admin key)');
  tenants
    .command('list')
    .description('List tenants, oldest first')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options: { limit: string }, command: Command) => {
      const client = apiClient(command);
      const all: Tenant[] = [];
      let cursor: string | undefined;
      const limit = positive(options.limit, '--limit');
      do {
        const page = await ok(
          client.GET('/v1/tenants', { params: { query: { limit: Math.min(100, limit - all.length), cursor } } }),
        );
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && all.length < limit);
      output.done({ human: tenantRows(all), json: all });
    });
  tenants
    .command('create')
    .description('Create a tenant')
    .requiredOption('--name <name>', 'display name')
    .option('--slug <slug>', 'URL-safe slug (default: derived from the name)')
    .action(async (options: { name: string; slug?: string }, command: Command) => {
      const tenant = await ok(apiClient(command).POST('/v1/tenants', { body: options }));
      output.done({ human: tenantRows([tenant]), json: tenant });
    });
  for (const [name, status, description] of [
    ['suspend', 'suspended', 'Suspend a tenant: it gets no login links'],
    ['resume', 'active', 'Reactivate a suspended tenant'],
  ] as const) {
    tenants
      .command(`${name} <tenant-id>`)
      .description(description)
      .action(async (tenantId: string, _options: unknown, command: Command) => {
        const tenant = await ok(
          apiClient(command).PATCH('/v1/tenants/{tenant_id}', {
            params: { path: { tenant_id: tenantId } },
            body: { status },
          }),
        );
        output.done({ human: tenantRows([tenant]), json: tenant });
      });
  }
  tenants
    .command('delete <tenant-id>')
    .description('Delete a tenant with its connections, credentials and keys (its audit history is kept)')
    .option('--yes', 'really delete')
    .action(async (tenantId: string, options: { yes?: boolean }, command: Command) => {
      if (!options.yes)
        throw new CliError(EXIT.USAGE, 'deleting a tenant destroys its credentials and keys: add --yes');
      await ok(apiClient(command).DELETE('/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } } }));
      output.done({ human: `Deleted tenant ${tenantId}`, json: { id: tenantId, deleted: true } });
    });
}

export function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.USAGE, `${flag} must be a positive integer`);
  return n;
}
