import type { Command } from 'commander';
import { profilePath, writeProfile } from '../api/profile';
import { CliError, EXIT, type Output } from '../output';

/** `sso-broker login`: saves the broker's URL and an API key for the API commands (mode 0600). */
export function registerLoginCommand(program: Command, output: Output): void {
  program
    .command('login')
    .description('Save the broker URL and an API key in the profile file (mode 0600) for the API commands')
    .requiredOption('--key <key>', 'an API key (sbk_…)')
    // --url is the program's own option (every API command takes it); login requires it.
    .usage('--url <url> --key <key>')
    .action((_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{ url?: string; key: string }>();
      if (!options.url)
        throw new CliError(EXIT.USAGE, 'login needs --url <url> (the broker, e.g. https://sso.example.com)');
      let url: URL;
      try {
        url = new URL(options.url);
      } catch {
        throw new CliError(EXIT.USAGE, `--url is not a URL: ${options.url}`);
      }
      if (!/^sbk_\S+$/.test(options.key)) throw new CliError(EXIT.USAGE, '--key is not a broker API key (sbk_…)');
      const path = profilePath(process.env);
      writeProfile(path, { url: url.origin, key: options.key });
      output.done({
        human: `Saved ${url.origin} and the key to ${path} (mode 0600)`,
        json: { url: url.origin, profile: path },
      });
    });
}
