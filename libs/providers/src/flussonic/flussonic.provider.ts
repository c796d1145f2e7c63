import { Injectable } from '@nestjs/common';
import {
  BrowserAction,
  CheckResult,
  ConnectionContext,
  LoginLinkProvider,
  MintRequest,
  ParsedCredentials,
} from '../login-link-provider.interface';
import { parseOrThrow, plain } from '../parse-or-throw';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { invalidIdentifier, singleIdentifier } from '../subject-identifier';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { PROVIDER_MODELS } from '../provider-models';
import { FlussonicCredentials, FlussonicCredentialsDto } from './dto/flussonic-credentials.dto';
import { FlussonicSettings, FlussonicSettingsDto, SESSION_LIFETIME_BOUNDS } from './dto/flussonic-settings.dto';
import { AutologinRequest, FlussonicApi } from './flussonic-api';
import { checkFlussonicKey, failedCheck } from './flussonic-check';

const DEFAULT_TOKEN_TTL_SECONDS = 60;

@Injectable()
export class FlussonicProvider implements LoginLinkProvider {
  readonly kind = 'flussonic';
  readonly displayName = 'Flussonic Watcher';
  readonly settingsSchema = PROVIDER_MODELS.flussonic.settings;
  readonly credentialSchemas = PROVIDER_MODELS.flussonic.credentials;
  private readonly api: FlussonicApi;

  constructor(http: UpstreamHttpClient) {
    this.api = new FlussonicApi(http);
  }

  parseSettings(raw: unknown): Record<string, unknown> {
    return plain(parseOrThrow(FlussonicSettingsDto, raw, 'settings'));
  }

  parseCredentials(raw: unknown): ParsedCredentials {
    const dto = parseOrThrow(FlussonicCredentialsDto, raw, 'credentials');
    const value: FlussonicCredentials = { api_key: dto.api_key, auth_mode: dto.auth_mode ?? 'legacy' };
    return { kind: 'api_key', value: { ...value } };
  }

  prepare(connection: Pick<ConnectionContext, 'settings' | 'baseUrl'>, request: MintRequest): void {
    this.autologinRequest(connection.settings, request);
  }

  async mint(connection: ConnectionContext, request: MintRequest): Promise<BrowserAction> {
    const body = this.autologinRequest(connection.settings, request);
    const token = await this.api.generateAutologinToken(connection, await this.credentials(connection), body);
    const action = `${connection.baseUrl}/vsaas/autologin`;
    // Watcher logs in only on a form POST (docs/providers/flussonic.md#browser-login-form); the token is opaque and
    // passed on as is.
    return {
      method: 'POST',
      url: action,
      form: { action, fields: { autologin_token: token } },
      upstreamToken: token,
      upstreamExpiresAt: new Date(body.valid_till * 1000),
    };
  }

  async check(connection: ConnectionContext): Promise<CheckResult> {
    try {
      return await checkFlussonicKey(this.api, connection, await this.credentials(connection));
    } catch (error) {
      if (error instanceof ProviderException) return failedCheck(error);
      throw error;
    }
  }

  private autologinRequest(settings: FlussonicSettings, request: MintRequest): AutologinRequest {
    const { field, value } = singleIdentifier(request.subject);
    if (field !== 'login') {
      throw invalidIdentifier(`Flussonic identifies users by login only; user.${field} cannot be used.`);
    }
    if (request.targetUri !== undefined) {
      throw new ProviderException(
        400,
        ProviderExceptionCode.TARGET_URI_NOT_ALLOWED,
        'Flussonic connections take no target_uri: Watcher opens its own start page after auto-login.',
      );
    }
    const lifetime = request.sessionLifetime ?? settings.default_session_lifetime;
    if (lifetime !== undefined && !isSessionLifetime(lifetime)) {
      throw new ProviderException(
        400,
        ProviderExceptionCode.INVALID_SESSION_LIFETIME,
        `session_lifetime must be an integer from ${SESSION_LIFETIME_BOUNDS.min} to ${SESSION_LIFETIME_BOUNDS.max} seconds.`,
      );
    }
    const validTill = Math.floor(Date.now() / 1000) + (settings.token_ttl ?? DEFAULT_TOKEN_TTL_SECONDS);
    return { login: value, valid_till: validTill, ...(lifetime === undefined ? {} : { lifetime }) };
  }

  /**
   * The stored credential, as parseCredentials returned it when it was sealed: the vault's open
   * authenticates it, so on every mint a shape check suffices (the DTO's full validation cost ~2%
   * of the broker's CPU per link, docs/performance.md). Anything else, such as a row sealed before
   * auth_mode existed, goes through parseCredentials again.
   */
  private async credentials(connection: ConnectionContext): Promise<FlussonicCredentials> {
    const raw = await connection.loadCredentials();
    const { api_key, auth_mode } = raw;
    if (typeof api_key === 'string' && api_key.length > 0 && (auth_mode === 'legacy' || auth_mode === 'v2')) {
      return { api_key, auth_mode };
    }
    return this.parseCredentials(raw).value as unknown as FlussonicCredentials;
  }
}

function isSessionLifetime(value: number): boolean {
  return Number.isInteger(value) && value >= SESSION_LIFETIME_BOUNDS.min && value <= SESSION_LIFETIME_BOUNDS.max;
}
