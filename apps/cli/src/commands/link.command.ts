import { ok, type components } from '@sso-broker/client';
import type { Command } from 'commander';
import { apiClient } from '../api/api-context';
import { CliError, EXIT, type Output } from '../output';

interface LinkOptions {
  connection: string;
  tenant?: string;
  login?: string;
  userId?: string;
  externalId?: string;
  delivery?: 'direct' | 'launch';
  reason?: string;
  targetUri?: string;
  open?: boolean;
}

/** `sso-broker link`: issues a login link (portal or admin key) and prints it, or opens its launch page. */
export function registerLinkCommand(program: Command, output: Output): void {
  program
    .command('link')
    .description('Issue a login link for one upstream user; print it, or --open its launch page in the browser')
    .requiredOption('--connection <name-or-id>', 'the connection, within the tenant')
    .option('--tenant <tenant-id>', 'the tenant (required with an admin key)')
    .option('--login <login>', 'the upstream login')
    .option('--user-id <id>', 'the upstream user id')
    .option('--external-id <id>', 'the identity-provider user id (Acronis external_id)')
    .option('--delivery <kind>', 'direct or launch (default: launch with --open, else direct)')
    .option('--reason <text>', 'why (e.g. a ticket id); recorded in the audit event')
    .option('--target-uri <uri>', 'where to land upstream (checked against the allow-list)')
    .option('--open', "open the launch page with the system's opener")
    .action(async (options: LinkOptions, command: Command) => {
      const user = { login: options.login, user_id: options.userId, external_id: options.externalId };
      if (Object.values(user).filter(Boolean).length !== 1) {
        throw new CliError(EXIT.USAGE, 'name the user with exactly one of --login, --user-id, --external-id');
      }
      // A launch link is a plain URL any browser opens; a direct Flussonic link is a form to POST.
      const delivery = options.delivery ?? (options.open ? 'launch' : 'direct');
      if (!['direct', 'launch'].includes(delivery)) throw new CliError(EXIT.USAGE, '--delivery is direct or launch');
      const body: components['schemas']['CreateLoginLinkDto'] = {
        connection: options.connection,
        tenant_id: options.tenant,
        user,
        delivery,
        reason: options.reason,
        target_uri: options.targetUri,
      };
      const link = await ok(apiClient(command).POST('/v1/login-links', { body }));
      const lines = [`${link.method} ${link.url}`, `expires ${link.expires_at} (link ${link.id})`];
      if (link.form) lines.push(`form fields: ${JSON.stringify(link.form.fields)}`);
      if (options.open) {
        if (link.method !== 'GET') throw new CliError(EXIT.USAGE, 'this link is a form to POST: use --delivery launch');
        const { default: open } = await import('open');
        await open(link.url);
        lines.push('opened in the browser');
      }
      output.done({ human: lines.join('\n'), json: link });
    });
}
