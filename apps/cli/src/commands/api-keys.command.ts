import { ok, type components } from '@sso-broker/client';
import type { Command } from 'commander';
import { apiClient } from '../api/api-context';
import { table, type Output } from '../output';

type ApiKey = components['schemas']['ApiKeyDto'];
const keyRows = (keys: Array<Omit<ApiKey, 'revoked_at' | 'last_used_at'> & Partial<ApiKey>>) =>
  table(
    ['id', 'prefix', 'name', 'role', 'tenant', 'expires', 'revoked'],
    keys.map((k) => [k.id, k.prefix, k.name, k.role, k.tenant_id, k.expires_at, k.revoked_at]),
  );

/** `sso-broker api-keys list|create|revoke` (admin key). */
export function registerApiKeyCommands(program: Command, output: Output): void {
  const keys = program.command('api-keys').description('API keys (admin key)');
  keys
    .command('list')
    .description('List API keys (never their text)')
    .option('--tenant <tenant-id>', "only this tenant's keys")
    .action(async (options: { tenant?: string }, command: Command) => {
      const client = apiClient(command);
      const all: ApiKey[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(
          client.GET('/v1/api-keys', { params: { query: { tenant_id: options.tenant, limit: 100, cursor } } }),
        );
        all.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      output.done({ human: keyRows(all), json: all });
    });
  keys
    .command('create')
    .description('Create an API key and print its text once')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', 'admin, portal (needs --tenant) or auditor')
    .option('--tenant <tenant-id>', 'bind the key to this tenant')
    .option('--expires-at <time>', 'ISO 8601 time after which the key stops working')
    .action(async (options: { name: string; role: string; tenant?: string; expiresAt?: string }, command: Command) => {
      const created = await ok(
        apiClient(command).POST('/v1/api-keys', {
          body: {
            name: options.name,
            role: options.role as components['schemas']['CreateApiKeyDto']['role'],
            tenant_id: options.tenant,
            expires_at: options.expiresAt,
          },
        }),
      );
      output.done({
        human: `${keyRows([created])}\nKey (shown once, store it now): ${created.key}`,
        json: created,
      });
    });
  keys
    .command('revoke <key-id>')
    .description('Revoke an API key at once')
    .action(async (id: string, _options: unknown, command: Command) => {
      await ok(apiClient(command).DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
      output.done({ human: `Revoked API key ${id}`, json: { id, revoked: true } });
    });
}
