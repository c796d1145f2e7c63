import { createSsoBrokerClient, type SsoBrokerClient } from '@sso-broker/client';
import type { Command } from 'commander';
import { CliError, EXIT } from '../output';
import { profilePath, readProfile } from './profile';

export interface ApiOptions {
  url?: string;
}

/**
 * The broker a command calls and the key it calls with: `--url`, else SSO_BROKER_URL, else the
 * profile's, else http://127.0.0.1:<PORT or 3000> (the broker's default listen address); the key
 * from SSO_BROKER_API_KEY, else the profile (`sso-broker login`).
 */
export function apiTarget(command: Command, env: NodeJS.ProcessEnv = process.env): { url: string; key: string } {
  const { url } = command.optsWithGlobals<ApiOptions>();
  const path = profilePath(env);
  const profile = readProfile(path);
  const key = env.SSO_BROKER_API_KEY || profile?.key;
  if (!key) {
    throw new CliError(
      EXIT.USAGE,
      `no API key: set SSO_BROKER_API_KEY, or run sso-broker login --url <url> --key <key>`,
    );
  }
  return {
    url: url ?? env.SSO_BROKER_URL ?? profile?.url ?? `http://127.0.0.1:${env.PORT || 3000}`,
    key,
  };
}

export function apiClient(command: Command): SsoBrokerClient {
  const { url, key } = apiTarget(command);
  return createSsoBrokerClient({ baseUrl: url, apiKey: key, userAgent: 'sso-broker-cli' });
}
