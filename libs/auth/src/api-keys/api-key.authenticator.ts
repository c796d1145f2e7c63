import { CLOCK, type Clock, type Principal, systemClock } from '@app/common';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuthFailureLimiter, RateLimitedException } from '@app/rate-limit';
import { AuthExceptionCode, unauthorized } from '../auth.exception';
import { ApiKeyCache, CachedApiKey } from './api-key.cache';
import { hashApiKey, isWellFormedApiKey } from './api-key-secret';
import type { ApiKeyEntity } from './entities/api-key.entity';
import { ApiKeysStore } from './api-keys.store';
import { LastUsedTracker } from './last-used.tracker';

/**
 * Resolves a presented key to its principal with one unique-index lookup, remembered for
 * API_KEY_CACHE_TTL_MS: a revocation committed by another instance is honoured within that TTL,
 * one made on this instance at once (ApiKeysService evicts). Expiry is checked on every request.
 * Looking up by hash also means the comparison never touches the secret itself, so response
 * timing tells an attacker nothing about how close a guess was.
 */
@Injectable()
export class ApiKeyAuthenticator {
  /** Lookups under way, by key hash, with the cache generation they started in. */
  private readonly inFlight = new Map<string, { generation: number; row: Promise<ApiKeyEntity | null> }>();

  constructor(
    private readonly keys: ApiKeysStore,
    private readonly lastUsed: LastUsedTracker,
    private readonly cache: ApiKeyCache,
    private readonly failures: AuthFailureLimiter,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** `ip`: the caller's address, charged for each lookup that fails (AuthFailureLimiter). */
  async authenticate(presentedKey: string, ip: string): Promise<Principal> {
    if (!isWellFormedApiKey(presentedKey)) {
      throw unauthorized(
        AuthExceptionCode.MALFORMED_API_KEY,
        'The API key is malformed; send Authorization: Bearer sbk_….',
      );
    }
    const keyHash = hashApiKey(presentedKey);
    const cacheKey = keyHash.toString('base64');
    const key = this.cache.get(cacheKey) ?? (await this.lookUp(keyHash, cacheKey, ip));
    const now = new Date(this.clock.now());
    if (key.expiresAt !== null && key.expiresAt <= now)
      throw unauthorized(AuthExceptionCode.EXPIRED_API_KEY, 'The API key has expired.');
    this.lastUsed.touch(key.keyId, key.lastUsedAt, now);
    return { keyId: key.keyId, role: key.role, tenantId: key.tenantId };
  }

  private async lookUp(keyHash: Buffer, cacheKey: string, ip: string): Promise<CachedApiKey> {
    const generation = this.cache.currentGeneration();
    const row = await this.sharedLookUp(keyHash, cacheKey, generation);
    if (row === null) throw await this.failed(ip, AuthExceptionCode.INVALID_API_KEY, 'The API key is not valid.');
    if (row.revokedAt !== null)
      throw await this.failed(ip, AuthExceptionCode.REVOKED_API_KEY, 'The API key has been revoked.');
    const key: CachedApiKey = {
      keyId: row.id,
      role: row.role,
      tenantId: row.tenantId,
      expiresAt: row.expiresAt,
      lastUsedAt: row.lastUsedAt,
    };
    this.cache.set(cacheKey, key, generation);
    return key;
  }

  /**
   * When a busy key's cache entry lapses, every request in flight with it misses at once: they
   * share one query instead of sending one each. A lookup started before an eviction (a
   * revocation) is not joined by requests that start after it.
   */
  private sharedLookUp(keyHash: Buffer, cacheKey: string, generation: number): Promise<ApiKeyEntity | null> {
    const flight = this.inFlight.get(cacheKey);
    if (flight?.generation === generation) return flight.row;
    const row = this.keys.findByHash(keyHash).finally(() => {
      if (this.inFlight.get(cacheKey)?.row === row) this.inFlight.delete(cacheKey);
    });
    this.inFlight.set(cacheKey, { generation, row });
    return row;
  }

  /** The 401 for a failed lookup, or 429 when this failure took `ip` over its budget. */
  private async failed(ip: string, code: AuthExceptionCode, detail: string): Promise<Error> {
    const wait = await this.failures.recordFailure(ip);
    return wait > 0 ? new RateLimitedException(wait) : unauthorized(code, detail);
  }
}
