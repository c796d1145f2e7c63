import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import {
  garbage,
  isRecord,
  parseJson,
  rateLimited,
  readUpstreamError,
  serverFailure,
  unexpectedAnswer,
} from '../upstream/upstream-answer';
import { UpstreamHttpClient, UpstreamResponse } from '../upstream/upstream-http.client';
import { FlussonicCredentials } from './dto/flussonic-credentials.dto';
import { legacyAdminToken } from './flussonic-admin-token';

const VENDOR = 'Flussonic';
/**
 * 403 names meaning the key itself was refused (docs/providers/flussonic.md#error-statuses); any other 403
 * concerns the user.
 */
const KEY_REJECTED_ERRORS = new Set(['WrongApikey', 'ApikeyExpired']);

export interface FlussonicTarget {
  connectionId: string;
  baseUrl: string;
}

export interface AutologinRequest {
  login: string;
  valid_till: number;
  lifetime?: number;
}

/**
 * Watcher calls (docs/providers/flussonic.md#generating-an-autologin-token and
 * docs/providers/flussonic.md#sessions-and-user-lookups); no retries, the legacy stamp is rebuilt per call.
 */
export class FlussonicApi {
  constructor(private readonly http: UpstreamHttpClient) {}

  generateAutologinToken(
    target: FlussonicTarget,
    credentials: FlussonicCredentials,
    body: AutologinRequest,
    operation = 'autologin_token',
  ): Promise<string> {
    const path =
      credentials.auth_mode === 'v2'
        ? '/vsaas/api/v2/auth/generate-autologin-token'
        : '/vsaas/api/generate-autologin-token';
    return this.http.call(
      {
        provider: 'flussonic',
        operation,
        breakerKey: target.connectionId,
        method: 'POST',
        url: `${target.baseUrl}${path}`,
        headers: { 'x-vsaas-api-key': apiKeyOf(credentials), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      readAutologinToken,
    );
  }

  /** v2 only: a cheap authenticated read proving the key is accepted. */
  listOneUser(target: FlussonicTarget, credentials: FlussonicCredentials): Promise<void> {
    return this.http.call(
      {
        provider: 'flussonic',
        operation: 'check',
        breakerKey: target.connectionId,
        method: 'GET',
        url: `${target.baseUrl}/vsaas/api/v2/users?limit=1`,
        headers: { 'x-vsaas-api-key': apiKeyOf(credentials) },
      },
      (response) => {
        if (response.status === 200) return;
        if (response.status === 401 || response.status === 403) throw keyRejected();
        throw commonFailure(response);
      },
    );
  }
}

/** The x-vsaas-api-key header's value: the key itself (v2) or the legacy stamp derived from it. */
function apiKeyOf(credentials: FlussonicCredentials): string {
  return credentials.auth_mode === 'v2' ? credentials.api_key : legacyAdminToken(credentials.api_key);
}

function readAutologinToken(response: UpstreamResponse): string {
  if (response.status === 404) {
    throw new ProviderException(
      404,
      ProviderExceptionCode.UPSTREAM_USER_NOT_FOUND,
      'Flussonic does not know this login.',
    );
  }
  if (
    response.status === 401 ||
    (response.status === 403 && KEY_REJECTED_ERRORS.has(readUpstreamError(response.text).name ?? ''))
  ) {
    throw keyRejected();
  }
  if (response.status === 403) {
    throw new ProviderException(
      403,
      ProviderExceptionCode.UPSTREAM_FORBIDDEN,
      'Flussonic refused a login token for this user.',
    );
  }
  if (response.status !== 200) throw commonFailure(response);
  const body = parseJson(response.text);
  if (
    !isRecord(body) ||
    body.success !== true ||
    typeof body.autologin_token !== 'string' ||
    body.autologin_token === ''
  ) {
    throw garbage(VENDOR);
  }
  return body.autologin_token;
}

function keyRejected(): ProviderException {
  return new ProviderException(
    502,
    ProviderExceptionCode.UPSTREAM_UNAUTHORIZED,
    'Flussonic rejected the configured API key; check the key, auth_mode and the broker clock.',
  );
}

export function commonFailure(response: UpstreamResponse): ProviderException {
  if (response.status === 429) return rateLimited(response, VENDOR);
  if (response.status >= 500) return serverFailure(response, VENDOR);
  if (response.status >= 200 && response.status < 300) return garbage(VENDOR);
  return unexpectedAnswer(response, VENDOR);
}
