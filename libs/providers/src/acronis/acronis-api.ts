import { randomBytes } from 'node:crypto';
import { Clock, systemClock } from '@app/common';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { IdentifierField } from '../subject-identifier';
import {
  garbage,
  isRecord,
  parseJson,
  rateLimited,
  serverFailure,
  unexpectedAnswer,
  upstreamErrorText,
} from '../upstream/upstream-answer';
import { UpstreamHttpClient, UpstreamResponse } from '../upstream/upstream-http.client';
import { IssuedAccessToken } from './acronis-token.cache';
import { AcronisClientCredentialsDto } from './dto/acronis-credentials.dto';

const VENDOR = 'Acronis';

export interface AcronisTarget {
  connectionId: string;
  baseUrl: string;
}

/** A 401 on an authenticated call: the caller decides whether a token refresh is worth one retry. */
export const ACCESS_TOKEN_REJECTED = Symbol('ACCESS_TOKEN_REJECTED');

/**
 * The Acronis Account Management API v2 calls the broker makes: docs/providers/acronis.md#access-token,
 * docs/providers/acronis.md#one-time-token-ott and docs/providers/acronis.md#user-lookups.
 */
export class AcronisApi {
  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly clock: Clock = systemClock,
  ) {}

  issueAccessToken(target: AcronisTarget, credentials: AcronisClientCredentialsDto): Promise<IssuedAccessToken> {
    const basic = Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64');
    return this.http.call(
      {
        provider: 'acronis',
        operation: 'token',
        breakerKey: target.connectionId,
        method: 'POST',
        url: `${target.baseUrl}/api/2/idp/token`,
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      },
      (response) => readAccessToken(response, this.clock.now()),
    );
  }

  issueOtt(
    target: AcronisTarget,
    accessToken: string,
    identifier: { field: IdentifierField; value: string },
  ): Promise<string | typeof ACCESS_TOKEN_REJECTED> {
    return this.http.call(
      {
        provider: 'acronis',
        operation: 'ott',
        breakerKey: target.connectionId,
        method: 'POST',
        url: `${target.baseUrl}/api/2/idp/ott`,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'user_login', [identifier.field]: identifier.value }),
      },
      readOtt,
    );
  }

  /** Proves a bearer token authenticates: check_login answers 204 (free) or 409 (taken) to any valid token. */
  checkAccessToken(target: AcronisTarget, accessToken: string): Promise<true | typeof ACCESS_TOKEN_REJECTED> {
    const username = `sso-broker-check-${randomBytes(8).toString('hex')}`;
    return this.http.call(
      {
        provider: 'acronis',
        operation: 'check_login',
        breakerKey: target.connectionId,
        method: 'GET',
        url: `${target.baseUrl}/api/2/users/check_login?username=${username}`,
        headers: { authorization: `Bearer ${accessToken}` },
      },
      (response) => {
        if (response.status === 204 || response.status === 409) return true;
        if (response.status === 401) return ACCESS_TOKEN_REJECTED;
        throw commonFailure(response);
      },
    );
  }
}

function readAccessToken(response: UpstreamResponse, now: number): IssuedAccessToken {
  if ([400, 401, 403].includes(response.status)) {
    throw new ProviderException(
      502,
      ProviderExceptionCode.UPSTREAM_UNAUTHORIZED,
      'Acronis rejected the configured API client credentials.',
    );
  }
  if (response.status !== 200) throw commonFailure(response);
  const body = parseJson(response.text);
  if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') throw garbage(VENDOR);
  return { accessToken: body.access_token, source: 'client_credentials', expiresAt: expiresAt(body, now) };
}

function expiresAt(body: Record<string, unknown>, now: number): number | undefined {
  if (typeof body.expires_on === 'number' && Number.isFinite(body.expires_on)) return body.expires_on * 1000;
  if (typeof body.expires_in === 'number' && Number.isFinite(body.expires_in)) return now + body.expires_in * 1000;
  return undefined;
}

function readOtt(response: UpstreamResponse): string | typeof ACCESS_TOKEN_REJECTED {
  if (response.status === 401) return ACCESS_TOKEN_REJECTED;
  if (response.status === 404 || (response.status === 400 && saysUnknownUser(response))) {
    throw new ProviderException(404, ProviderExceptionCode.UPSTREAM_USER_NOT_FOUND, 'Acronis does not know this user.');
  }
  if (response.status === 403) {
    throw new ProviderException(
      403,
      ProviderExceptionCode.UPSTREAM_FORBIDDEN,
      'Acronis refused a login for this user: it is outside the API client tenant, or support access is disabled.',
    );
  }
  if (response.status !== 200) throw commonFailure(response);
  const body = parseJson(response.text);
  if (!isRecord(body) || typeof body.ott !== 'string' || body.ott === '') throw garbage(VENDOR);
  return body.ott;
}

/**
 * The Acronis spec does not name the unknown-user answer of /idp/ott (INFERRED 400 or 404,
 * docs/providers/acronis.md#ott-errors). A 400 only becomes "user not found" when the upstream's own
 * message says so; any other 400 is reported as a rejected request with the upstream's (sanitized)
 * reason in the log, so nothing hinges on a guess.
 */
function saysUnknownUser(response: UpstreamResponse): boolean {
  return /not\s*found|unknown|no such|does not exist|doesn't exist/i.test(upstreamErrorText(response));
}

function commonFailure(response: UpstreamResponse): ProviderException {
  if (response.status === 429) return rateLimited(response, VENDOR);
  if (response.status >= 500) return serverFailure(response, VENDOR);
  if (response.status >= 200 && response.status < 300) return garbage(VENDOR);
  return unexpectedAnswer(response, VENDOR);
}
