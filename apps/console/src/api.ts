import { type components, type paths, SsoBrokerError } from '@sso-broker/client';
import createClient, { type Middleware } from 'openapi-fetch';

export type Schemas = components['schemas'];
export type Session = Schemas['ConsoleSessionDto'];
/**
 * Connection forms are built at run time from each provider's schema in /openapi.json, so the
 * compiler cannot tell which `oneOf` variant a form produced; the broker validates it (and the
 * form shows the field errors it answers).
 */
export type CreateConnectionBody = Schemas['CreateConnectionDto'];
export type CredentialsBody = NonNullable<
  paths['/v1/tenants/{tenant_id}/connections/{connection_id}/credentials']['put']['requestBody']
>['content']['application/json'];
export { SsoBrokerError };

let csrfToken: string | null = null;

/** The session's CSRF token, sent as X-CSRF-Token on every state-changing call (docs/api.md#console-sessions). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken !== null) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

/** Every answer that is not 2xx becomes the client library's SsoBrokerError (problem+json). */
const problems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await SsoBrokerError.fromResponse(response);
    return undefined;
  },
};

/**
 * The broker's /v1 API, typed by the paths generated from its OpenAPI document
 * (@sso-broker/client), authenticated by the session cookie the browser sends on its own: the
 * console never holds an API key after sign-in.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf, problems);

/** The body of a call whose errors already threw. */
export async function data<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/** `errors[]` of a validation problem by field name, for showing each message next to its field. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof SsoBrokerError)) return {};
  const byField: Record<string, string> = {};
  for (const { field, message } of error.errors) byField[field] ??= message;
  return byField;
}
