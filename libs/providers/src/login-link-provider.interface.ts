export interface LoginSubject {
  login?: string;
  user_id?: string;
  external_id?: string;
}

export interface ConnectionContext {
  tenantId: string;
  connectionId: string;
  /** Already validated: absolute http(s), no credentials, query or fragment, no trailing slash. */
  baseUrl: string;
  /** Already validated by this provider's parseSettings. */
  settings: Record<string, unknown>;
  /** Changes when the credential is replaced; provider caches key on (connectionId, credentialVersion). */
  credentialVersion: number;
  /** Decrypts on demand: providers call it only when they need the secret. */
  loadCredentials(): Promise<Record<string, unknown>>;
}

export interface MintRequest {
  subject: LoginSubject;
  targetUri?: string;
  sessionLifetime?: number;
}

export interface BrowserForm {
  action: string;
  fields: Record<string, string>;
}

export interface BrowserAction {
  method: 'GET' | 'POST';
  url: string;
  form?: BrowserForm;
  /** The OTT / autologin token, only for the caller's audit fingerprint; never log it. */
  upstreamToken: string;
  /** When the upstream token stops working. */
  upstreamExpiresAt: Date;
}

export interface CheckResult {
  ok: boolean;
  /** Safe to show: never contains a secret. */
  detail: string;
  /** The ProviderException code when the check failed on an upstream error. */
  code?: string;
}

export interface ParsedCredentials {
  kind: 'client_credentials' | 'bearer_token' | 'api_key';
  value: Record<string, unknown>;
}

export interface LoginLinkProvider {
  readonly kind: string;
  /** The upstream product's name as a person knows it, shown on the broker's launch pages. */
  readonly displayName: string;
  readonly settingsSchema: new () => object;
  /** Every accepted credential shape by credential kind (class-validator DTO classes). */
  readonly credentialSchemas: Readonly<Record<string, new () => object>>;
  /** Throws 400 invalid_settings with errors [{field: 'settings.x', message}]. */
  parseSettings(raw: unknown): Record<string, unknown>;
  /** Throws 400 invalid_credentials with errors [{field: 'credentials.x', message}]. */
  parseCredentials(raw: unknown): ParsedCredentials;
  /** Cheap checks before any upstream call; throws 400 on a bad subject, target or lifetime. */
  prepare(connection: Pick<ConnectionContext, 'settings' | 'baseUrl'>, request: MintRequest): void;
  mint(connection: ConnectionContext, request: MintRequest): Promise<BrowserAction>;
  /** Proves the credential works upstream; upstream failures come back as ok: false. */
  check(connection: ConnectionContext): Promise<CheckResult>;
}
