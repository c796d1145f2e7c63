import { envInt, envJson } from '@app/simulator-kit';
import { ACRONIS_DEMO_DATA } from './acronis-demo.fixtures';
import type { AcronisSimulator } from './acronis-simulator';
import { ACRONIS_DEFAULTS, AcronisSimulatorOptions } from './acronis-simulator.options';

export const ACRONIS_DEFAULT_PORT = 4010;

/**
 * ACRONIS_SIM_PORT, ACRONIS_SIM_HOST, ACRONIS_SIM_CLIENTS / _USERS / _TENANTS / _BEARER_TOKENS (JSON
 * arrays shaped like the options), ACRONIS_SIM_TOKEN_TTL_SECONDS, ACRONIS_SIM_OTT_TTL_SECONDS,
 * ACRONIS_SIM_UNKNOWN_USER_STATUS (400|404). Each list left unset takes the demo data.
 */
export function acronisOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AcronisSimulatorOptions {
  const unknownUserStatus = envInt(env, 'ACRONIS_SIM_UNKNOWN_USER_STATUS', ACRONIS_DEFAULTS.unknownUserStatus);
  if (unknownUserStatus !== 400 && unknownUserStatus !== 404)
    throw new Error('ACRONIS_SIM_UNKNOWN_USER_STATUS must be 400 or 404');
  return {
    port: envInt(env, 'ACRONIS_SIM_PORT', ACRONIS_DEFAULT_PORT),
    host: env.ACRONIS_SIM_HOST || ACRONIS_DEFAULTS.host,
    clients: envJson(env, 'ACRONIS_SIM_CLIENTS') ?? ACRONIS_DEMO_DATA.clients,
    users: envJson(env, 'ACRONIS_SIM_USERS') ?? ACRONIS_DEMO_DATA.users,
    tenants: envJson(env, 'ACRONIS_SIM_TENANTS') ?? ACRONIS_DEMO_DATA.tenants,
    staticBearerTokens: envJson(env, 'ACRONIS_SIM_BEARER_TOKENS') ?? ACRONIS_DEMO_DATA.staticBearerTokens,
    tokenTtlSeconds: envInt(env, 'ACRONIS_SIM_TOKEN_TTL_SECONDS', ACRONIS_DEFAULTS.tokenTtlSeconds),
    ottTtlSeconds: envInt(env, 'ACRONIS_SIM_OTT_TTL_SECONDS', ACRONIS_DEFAULTS.ottTtlSeconds),
    unknownUserStatus,
  };
}

/** Start-up banner. Secrets are shown only when they are the public demo ones. */
export function describeAcronisSimulator(sim: AcronisSimulator, options: AcronisSimulatorOptions): string {
  const demoSecrets = new Set([
    ...ACRONIS_DEMO_DATA.clients.map((c) => c.client_secret),
    ...ACRONIS_DEMO_DATA.staticBearerTokens.map((t) => t.token),
  ]);
  const reveal = (secret: string): string => (demoSecrets.has(secret) ? secret : '<configured>');
  const lines = [
    `Acronis simulator listening on ${sim.url} (API base ${sim.url}/api/2)`,
    ...(options.clients ?? []).map(
      (c) => `  client ${c.client_id} / ${reveal(c.client_secret)} -> tenant ${c.tenant_id}`,
    ),
    ...(options.staticBearerTokens ?? []).map((t) => `  bearer ${reveal(t.token)} -> tenant ${t.tenant_id}`),
    ...(options.users ?? []).map(
      (u) =>
        `  user ${u.login} (${u.id}) tenant ${u.tenant_id}${u.enabled === false ? ' [disabled]' : ''}${u.support_access === false ? ' [no support access]' : ''}`,
    ),
  ];
  return lines.join('\n');
}
