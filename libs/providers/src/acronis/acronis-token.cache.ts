import { Clock, systemClock } from '@app/common';
import { BoundedMap } from '../bounded-map';

export type AccessTokenSource = 'client_credentials' | 'bearer_token';

export interface IssuedAccessToken {
  accessToken: string;
  source: AccessTokenSource;
  /** Epoch ms when the upstream stops accepting it; undefined = unknown, never cached. */
  expiresAt?: number;
}

interface CachedAccessToken extends IssuedAccessToken {
  refreshAt: number;
}

const SAFETY_MARGIN_MS = 60_000;

/**
 * Access tokens per (connection, credential version): cached until shortly before expiry, with
 * concurrent misses sharing one in-flight fetch so a burst of mints costs one token call.
 */
export class AcronisTokenCache {
  private readonly tokens: BoundedMap<string, CachedAccessToken>;
  private readonly inFlight = new Map<string, Promise<IssuedAccessToken>>();

  constructor(
    maxEntries = 10_000,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = new BoundedMap(maxEntries);
  }

  async get(key: string, fetch: () => Promise<IssuedAccessToken>): Promise<IssuedAccessToken> {
    const cached = this.tokens.get(key);
    if (cached && cached.refreshAt > this.clock.now()) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const fetching = fetch()
      .then((issued) => {
        this.store(key, issued);
        return issued;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, fetching);
    return fetching;
  }

  /** Drops the cached token only if it is the one the upstream rejected (a newer one may already be cached). */
  invalidate(key: string, rejectedAccessToken: string): void {
    if (this.tokens.get(key)?.accessToken === rejectedAccessToken) this.tokens.delete(key);
  }

  private store(key: string, issued: IssuedAccessToken): void {
    if (issued.expiresAt === undefined) return;
    const lifetimeMs = issued.expiresAt - this.clock.now();
    // Short-lived tokens would otherwise never be cached; half their lifetime keeps them useful.
    const refreshAt = issued.expiresAt - Math.min(SAFETY_MARGIN_MS, lifetimeMs / 2);
    if (refreshAt > this.clock.now()) this.tokens.set(key, { ...issued, refreshAt });
  }
}
