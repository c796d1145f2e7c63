import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from '../output';

/** What `sso-broker login` saves: the broker's URL and an API key. */
export interface Profile {
  url: string;
  key: string;
}

/** SSO_BROKER_PROFILE, else $XDG_CONFIG_HOME/sso-broker/profile.json, else ~/.config/sso-broker/profile.json. */
export function profilePath(env: NodeJS.ProcessEnv): string {
  if (env.SSO_BROKER_PROFILE) return env.SSO_BROKER_PROFILE;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'sso-broker', 'profile.json');
}

/**
 * The saved profile, or undefined when there is none. It holds a key, so a file that its group or
 * others may read is refused (as ssh refuses such a private key) rather than used.
 */
export function readProfile(path: string): Profile | undefined {
  if (!existsSync(path)) return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CliError(
      EXIT.USAGE,
      `${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${path}, or log in again`,
    );
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Partial<Profile>;
  if (typeof profile.url !== 'string' || typeof profile.key !== 'string') {
    throw new CliError(EXIT.USAGE, `${path} is not a profile (url and key): log in again`);
  }
  return { url: profile.url, key: profile.key };
}

/** Writes the profile readable by its owner only (0600, in a 0700 directory). */
export function writeProfile(path: string, profile: Profile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync applies only to a new file.
  chmodSync(path, 0o600);
}
