#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { registerAdminKeyCommands } from './commands/admin-key.command';
import { registerApiKeyCommands } from './commands/api-keys.command';
import { registerAuditCommands } from './commands/audit.command';
import { registerConnectionCommands } from './commands/connections.command';
import { registerLinkCommand } from './commands/link.command';
import { registerLoginCommand } from './commands/login.command';
import { registerTenantCommands } from './commands/tenants.command';
import { EXIT, Output } from './output';

/** `sso-broker`: the operator's command line (README, "CLI"). */
export function buildProgram(output: Output): Command {
  const program = new Command('sso-broker')
    .description('Operate an sso-broker: recovery, tenants, connections, keys, links and the audit log')
    .option('--json', 'print answers as JSON (for scripts)')
    .option('--url <url>', 'the broker (default: SSO_BROKER_URL, the profile, else http://127.0.0.1:$PORT or :3000)')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (command) => {
      output.json = command.optsWithGlobals<{ json?: boolean }>().json === true;
    });
  registerAdminKeyCommands(program, output);
  registerLoginCommand(program, output);
  registerTenantCommands(program, output);
  registerConnectionCommands(program, output);
  registerApiKeyCommands(program, output);
  registerLinkCommand(program, output);
  registerAuditCommands(program, output);
  return program;
}

export async function runCli(argv: string[], output = new Output()): Promise<number> {
  const program = buildProgram(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return EXIT.OK;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.USAGE;
    return output.fail(error);
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
