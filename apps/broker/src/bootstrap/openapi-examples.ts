/**
 * The request examples of the OpenAPI document, by operationId: each is a request the broker
 * accepts (test/openapi-examples.e2e-spec.ts sends every one to a running broker, with the ids and
 * upstream URLs below replaced by real ones). documentContract refuses an operation with a body and
 * no example here.
 */
export const EXAMPLE_TENANT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const EXAMPLE_ACRONIS_URL = 'https://eu2-cloud.acronis.com';
export const EXAMPLE_FLUSSONIC_URL = 'https://watcher.example.com';
/** Stands for a real admin or auditor key (the console's sign-in). */
export const EXAMPLE_API_KEY = 'sbk_example_admin_or_auditor_key';

export interface RequestExample {
  summary: string;
  value: Record<string, unknown>;
}

export const REQUEST_EXAMPLES: Record<string, Record<string, RequestExample>> = {
  createTenant: {
    tenant: {
      summary: 'A tenant (the slug is derived from the name when absent)',
      value: { name: 'Customer A', slug: 'customer-a' },
    },
  },
  updateTenant: {
    rename: { summary: 'Rename', value: { name: 'Customer A GmbH' } },
    rateLimit: { summary: "Cap the tenant's keys together", value: { rate_limit_per_minute: 600 } },
  },
  createConnection: {
    acronis: {
      summary: 'Acronis Cyber Protect Cloud with an API client',
      value: {
        name: 'acronis-eu',
        provider: 'acronis',
        base_url: EXAMPLE_ACRONIS_URL,
        settings: {
          allowed_target_uris: [`${EXAMPLE_ACRONIS_URL}/ui/`],
          default_target_uri: `${EXAMPLE_ACRONIS_URL}/ui/`,
        },
        credentials: { client_id: 'c0ffee00-1111-4222-8333-444455556666', client_secret: 'api-client-secret' },
      },
    },
    flussonic: {
      summary: 'Flussonic Watcher, people confirm each launch with a click',
      value: {
        name: 'watcher',
        provider: 'flussonic',
        base_url: EXAMPLE_FLUSSONIC_URL,
        settings: { default_session_lifetime: 3600 },
        credentials: { api_key: 'watcher-api-key' },
        launch_confirmation: 'click',
      },
    },
  },
  updateConnection: {
    launch: { summary: 'Launch links last 15 minutes', value: { launch_expires_in: 900 } },
    policy: {
      summary: 'Only the customer’s own users, with a reason',
      value: { policy: { subjects: { allow: { logins: ['*@customer-a.example'] } }, require_reason: true } },
    },
  },
  rotateConnectionCredentials: {
    acronis: {
      summary: 'A new Acronis API client',
      value: { client_id: 'c0ffee00-1111-4222-8333-444455556666', client_secret: 'rotated-api-client-secret' },
    },
    flussonic: { summary: 'A new Watcher key', value: { api_key: 'watcher-api-key', auth_mode: 'legacy' } },
  },
  createApiKey: {
    portal: {
      summary: "A portal's key, bound to its tenant",
      value: { name: 'Customer portal (production)', role: 'portal', tenant_id: EXAMPLE_TENANT_ID },
    },
    auditor: {
      summary: 'An auditor key that expires',
      value: { name: 'SIEM pull', role: 'auditor', expires_at: '2030-01-01T00:00:00Z' },
    },
  },
  createConsoleSession: {
    signIn: { summary: 'Sign in with an admin or auditor key', value: { api_key: EXAMPLE_API_KEY } },
  },
  issueLoginLink: {
    launch: {
      summary: 'A launch link (minted when the person opens it), with a reason for the audit log',
      value: {
        connection: 'acronis-eu',
        user: { login: 'alice@customer-a.example' },
        delivery: 'launch',
        reason: 'TICKET-4711',
      },
    },
    direct: {
      summary: 'A direct link, minted now',
      value: { connection: 'watcher', user: { login: 'viewer@customer-a.example' }, session_lifetime: 3600 },
    },
  },
  revokeTenantLoginLinks: {
    user: { summary: "One person's outstanding launch links", value: { user: { login: 'alice@customer-a.example' } } },
    all: { summary: 'Every outstanding launch link of the tenant', value: {} },
  },
};
