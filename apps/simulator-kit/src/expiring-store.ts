interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Map whose entries expire. Entries are swept from the oldest on every insert, so memory stays
 * bounded under load (benchmarks mint thousands of tokens a second and redeem few of them);
 * `maxEntries` caps entries whose expiry lies far in the future.
 */
export class ExpiringStore<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly maxEntries = 200_000) {}

  get size(): number {
    return this.entries.size;
  }

  set(key: string, value: V, expiresAt: number, now: number): void {
    this.sweep(now);
    this.entries.set(key, { value, expiresAt });
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Returns the live value and removes it, so a second call for the same key finds nothing. */
  take(key: string, now: number): V | undefined {
    const value = this.get(key, now);
    if (value !== undefined) this.entries.delete(key);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
