import { envInt, envJson, envList } from '@app/simulator-kit';
import type { FlussonicSimulator } from './flussonic-simulator';
import { FLUSSONIC_DEFAULTS, FlussonicSimulatorOptions, FlussonicUserConfig } from './flussonic-simulator.options';

export const FLUSSONIC_DEFAULT_PORT = 4020;
const DEMO_API_KEY = 'demo-watcher-api-key';
const DEMO_USERS: FlussonicUserConfig[] = [
  { login: 'admin', is_admin: true },
  { login: 'viewer@customer-a.example' },
  { login: 'disabled@customer-a.example', enabled: false },
];

/**
 * FLUSSONIC_SIM_PORT, FLUSSONIC_SIM_HOST, FLUSSONIC_SIM_API_KEY, FLUSSONIC_SIM_USERS (JSON array of
 * `{login, enabled?, is_admin?}` or a comma-separated list of logins), FLUSSONIC_SIM_WINDOW_SECONDS,
 * FLUSSONIC_SIM_UNKNOWN_USER_STATUS (403|404), FLUSSONIC_SIM_SINGLE_USE_TOKENS (true|false),
 * FLUSSONIC_SIM_DEFAULT_VALID_TILL_SECONDS.
 */
export function flussonicOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FlussonicSimulatorOptions {
  const unknownUserStatus = envInt(env, 'FLUSSONIC_SIM_UNKNOWN_USER_STATUS', FLUSSONIC_DEFAULTS.unknownUserStatus);
  if (unknownUserStatus !== 403 && unknownUserStatus !== 404)
    throw new Error('FLUSSONIC_SIM_UNKNOWN_USER_STATUS must be 403 or 404');
  const singleUse = env.FLUSSONIC_SIM_SINGLE_USE_TOKENS;
  if (singleUse !== undefined && singleUse !== '' && singleUse !== 'true' && singleUse !== 'false') {
    throw new Error('FLUSSONIC_SIM_SINGLE_USE_TOKENS must be true or false');
  }
  return {
    port: envInt(env, 'FLUSSONIC_SIM_PORT', FLUSSONIC_DEFAULT_PORT),
    host: env.FLUSSONIC_SIM_HOST || FLUSSONIC_DEFAULTS.host,
    apiKey: env.FLUSSONIC_SIM_API_KEY || DEMO_API_KEY,
    users: usersFromEnv(env) ?? DEMO_USERS,
    windowSeconds: envInt(env, 'FLUSSONIC_SIM_WINDOW_SECONDS', FLUSSONIC_DEFAULTS.windowSeconds),
    unknownUserStatus,
    singleUseTokens: singleUse ? singleUse === 'true' : FLUSSONIC_DEFAULTS.singleUseTokens,
    defaultValidTillSeconds: envInt(
      env,
      'FLUSSONIC_SIM_DEFAULT_VALID_TILL_SECONDS',
      FLUSSONIC_DEFAULTS.defaultValidTillSeconds,
    ),
  };
}

function usersFromEnv(env: NodeJS.ProcessEnv): FlussonicUserConfig[] | undefined {
  const raw = env.FLUSSONIC_SIM_USERS?.trim();
  if (raw?.startsWith('[')) return envJson<FlussonicUserConfig[]>(env, 'FLUSSONIC_SIM_USERS');
  return envList(env, 'FLUSSONIC_SIM_USERS')?.map((login) => ({ login }));
}

/** Start-up banner. The API key is shown only when it is the public demo one. */
export function describeFlussonicSimulator(sim: FlussonicSimulator, options: FlussonicSimulatorOptions): string {
  const key = options.apiKey === DEMO_API_KEY ? DEMO_API_KEY : '<configured>';
  return [
    `Flussonic Watcher simulator listening on ${sim.url}`,
    `  system API key ${key} (legacy admin-token window ±${options.windowSeconds}s)`,
    ...(options.users ?? []).map(
      (u) => `  user ${u.login}${u.is_admin ? ' [admin]' : ''}${u.enabled === false ? ' [disabled]' : ''}`,
    ),
  ].join('\n');
}
