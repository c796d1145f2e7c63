import { CLOCK, Clock, systemClock } from '@app/common';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  BrowserAction,
  CheckResult,
  ConnectionContext,
  LoginLinkProvider,
  MintRequest,
  ParsedCredentials,
} from '../login-link-provider.interface';
import { plain } from '../parse-or-throw';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { singleIdentifier } from '../subject-identifier';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { ACCESS_TOKEN_REJECTED, AcronisApi } from './acronis-api';
import { parseAcronisCredentials } from './acronis-credentials';
import { parseAcronisSettings } from './acronis-settings';
import { externalLoginUrl, resolveTargetUri } from './acronis-target-uri';
import { AcronisTokenCache, IssuedAccessToken } from './acronis-token.cache';
import { PROVIDER_MODELS } from '../provider-models';
import { AcronisSettings } from './dto/acronis-settings.dto';

/** Documented OTT lifetime: 30 seconds, usable once (docs/providers/acronis.md#ott-lifetime-and-single-use). */
const OTT_LIFETIME_MS = 30_000;
/** A pasted bearer token is kept in memory this long so mints need not decrypt it each time. */
const PASTED_TOKEN_CACHE_MS = 15 * 60_000;

@Injectable()
export class AcronisProvider implements LoginLinkProvider {
  readonly kind = 'acronis';
  readonly displayName = 'Acronis Cyber Protect Cloud';
  readonly settingsSchema = PROVIDER_MODELS.acronis.settings;
  readonly credentialSchemas = PROVIDER_MODELS.acronis.credentials;
  private readonly api: AcronisApi;
  private readonly tokens: AcronisTokenCache;

  constructor(
    http: UpstreamHttpClient,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.api = new AcronisApi(http, clock);
    this.tokens = new AcronisTokenCache(undefined, clock);
  }

  parseSettings(raw: unknown): Record<string, unknown> {
    return { ...parseAcronisSettings(raw) };
  }

  parseCredentials(raw: unknown): ParsedCredentials {
    const { kind, value } = parseAcronisCredentials(raw);
    return { kind, value: plain(value) };
  }

  prepare(connection: Pick<ConnectionContext, 'settings' | 'baseUrl'>, request: MintRequest): void {
    this.validated(connection, request);
  }

  async mint(connection: ConnectionContext, request: MintRequest): Promise<BrowserAction> {
    const { identifier, targetUri } = this.validated(connection, request);
    // The base URL is part of the key: an access token (or a pasted bearer token) obtained for one
    // origin is never sent to another, even if base_url changed behind the API (docs/vault.md).
    const key = `${connection.connectionId}:${connection.credentialVersion}:${connection.baseUrl}`;

    let token = await this.accessToken(connection, key);
    let ott = await this.api.issueOtt(connection, token.accessToken, identifier);
    if (ott === ACCESS_TOKEN_REJECTED) {
      this.tokens.invalidate(key, token.accessToken);
      if (token.source === 'bearer_token') throw bearerRejected();
      // Tokens die early when the API client's secret is reset: refresh once, retry once
      // (docs/providers/acronis.md#token-scope-and-secret-reset).
      token = await this.accessToken(connection, key);
      ott = await this.api.issueOtt(connection, token.accessToken, identifier);
      if (ott === ACCESS_TOKEN_REJECTED) {
        this.tokens.invalidate(key, token.accessToken);
        throw new ProviderException(
          502,
          ProviderExceptionCode.UPSTREAM_UNAUTHORIZED,
          'Acronis rejected a freshly issued access token for the configured API client.',
        );
      }
    }
    return {
      method: 'GET',
      url: externalLoginUrl(connection.baseUrl, ott, targetUri),
      upstreamToken: ott,
      upstreamExpiresAt: new Date(this.clock.now() + OTT_LIFETIME_MS),
    };
  }

  async check(connection: ConnectionContext): Promise<CheckResult> {
    try {
      const credentials = parseAcronisCredentials(await connection.loadCredentials());
      if (credentials.kind === 'client_credentials') {
        await this.api.issueAccessToken(connection, credentials.value);
        return { ok: true, detail: 'Acronis issued an access token for the configured API client.' };
      }
      const answer = await this.api.checkAccessToken(connection, credentials.value.bearer_token);
      if (answer === ACCESS_TOKEN_REJECTED) throw bearerRejected();
      return { ok: true, detail: 'Acronis accepted the configured bearer token.' };
    } catch (error) {
      if (error instanceof ProviderException) return { ok: false, detail: error.detail, code: error.code };
      throw error;
    }
  }

  private validated(connection: Pick<ConnectionContext, 'settings' | 'baseUrl'>, request: MintRequest) {
    const identifier = singleIdentifier(request.subject);
    const settings = connection.settings as unknown as AcronisSettings;
    const targetUri = resolveTargetUri(settings, connection.baseUrl, request.targetUri);
    if (request.sessionLifetime !== undefined) {
      throw new ProviderException(
        400,
        ProviderExceptionCode.INVALID_SESSION_LIFETIME,
        'Acronis connections do not support session_lifetime: the Acronis session policy applies.',
      );
    }
    return { identifier, targetUri };
  }

  private accessToken(connection: ConnectionContext, key: string): Promise<IssuedAccessToken> {
    return this.tokens.get(key, async () => {
      const credentials = parseAcronisCredentials(await connection.loadCredentials());
      if (credentials.kind === 'client_credentials') return this.api.issueAccessToken(connection, credentials.value);
      return {
        accessToken: credentials.value.bearer_token,
        source: 'bearer_token',
        expiresAt: this.clock.now() + PASTED_TOKEN_CACHE_MS,
      };
    });
  }
}

function bearerRejected(): ProviderException {
  return new ProviderException(
    502,
    ProviderExceptionCode.UPSTREAM_UNAUTHORIZED,
    'Acronis rejected the configured bearer token (expired or revoked); replace the connection credential.',
  );
}
