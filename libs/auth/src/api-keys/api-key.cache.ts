import { type ApiKeyRole, type Clock, systemClock } from '@app/common';

export interface CachedApiKey {
  keyId: string;
  role: ApiKeyRole;
  tenantId: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

interface Entry {
  key: CachedApiKey;
  freshUntil: number;
}

export const API_KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Successful key lookups for a short TTL, keyed by the key hash. Revocations evict at once, on
 * this instance directly and on the others through ApiKeyRevocations (LISTEN/NOTIFY); the TTL
 * bounds how long a revocation can go unnoticed while that channel is down. Only keys that
 * authenticated are stored, so the size is bounded by the number of valid keys (and by
 * maxEntries): unknown keys never enter it. Expiry is not cached: callers re-check `expiresAt`
 * on every hit.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every eviction so that a lookup racing a revocation cannot re-insert the old row. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = API_KEY_CACHE_MAX_ENTRIES,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Pass to `set` so a result read before an eviction is not stored after it. */
  currentGeneration(): number {
    return this.generation;
  }

  get(keyHash: string): CachedApiKey | undefined {
    const entry = this.entries.get(keyHash);
    if (entry === undefined) return undefined;
    if (entry.freshUntil <= this.clock.now()) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry.key;
  }

  set(keyHash: string, key: CachedApiKey, readAtGeneration: number): void {
    if (this.ttlMs <= 0 || readAtGeneration !== this.generation) return;
    this.entries.delete(keyHash);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first entry is the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyHash, { key, freshUntil: this.clock.now() + this.ttlMs });
  }

  evictKey(keyId: string): void {
    this.evictWhere((key) => key.keyId === keyId);
  }

  evictTenant(tenantId: string): void {
    this.evictWhere((key) => key.tenantId === tenantId);
  }

  evictAll(): void {
    this.evictWhere(() => true);
  }

  private evictWhere(matches: (key: CachedApiKey) => boolean): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (matches(entry.key)) this.entries.delete(hash);
  }
}
