import type { Environment } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TenantDeletions } from '@app/tenants';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyCache } from './api-key.cache';

export const API_KEY_REVOCATION_CHANNEL = 'sso_broker_api_key_revocations';
const LISTENER_APPLICATION_NAME = 'sso-broker-revocations';
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];

type Revocation = { key_id: string } | { tenant_id: string };

/**
 * Makes a revocation effective at once on every instance (docs/api.md#api-keys), not only within
 * API_KEY_CACHE_TTL_MS: revoking a key, or deleting a tenant with its keys, sends a PostgreSQL
 * NOTIFY; every instance LISTENs on one dedicated connection and evicts the key from its cache.
 * A key's NOTIFY is sent inside the revoking transaction, so it is delivered exactly when the
 * revocation commits. While the listening connection is down (a database restart), the cache is
 * emptied and the TTL alone bounds staleness until the listener is back; reconnecting empties it
 * again, since notifications sent in the gap are lost.
 */
@Injectable()
export class ApiKeyRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyRevocations.name);
  private listener?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private failedAttempts = 0;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: ApiKeyCache,
    private readonly config: ConfigService<Environment, true>,
    tenantDeletions: TenantDeletions,
  ) {
    tenantDeletions.subscribe((tenantId) => {
      this.announceTenant(tenantId).catch((error: Error) =>
        this.logger.warn(
          `could not announce the deletion of a tenant's API keys (${error.message}); other instances drop them within API_KEY_CACHE_TTL_MS`,
        ),
      );
    });
  }

  /** Call inside the transaction that revokes the key. */
  async announceKey(manager: EntityManager, keyId: string): Promise<void> {
    await this.notify(manager, { key_id: keyId });
  }

  /** Call once the tenant's deletion (and with it its keys') has committed. */
  async announceTenant(tenantId: string): Promise<void> {
    await this.notify(this.dataSource.manager, { tenant_id: tenantId });
  }

  /** Whether revocations from other instances currently arrive at once (for tests and health). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Without a cache there is nothing to evict: every request reads the key row.
    if (this.config.get('API_KEY_CACHE_TTL_MS', { infer: true }) > 0) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async notify(manager: EntityManager, revocation: Revocation): Promise<void> {
    await manager.query('SELECT pg_notify($1, $2)', [API_KEY_REVOCATION_CHANNEL, JSON.stringify(revocation)]);
  }

  private async listen(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME });
    client.on('error', () => undefined); // followed by 'end', handled there
    client.on('notification', (message) => this.apply(message.payload));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOCATION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(
        `cannot listen for API key revocations (${(error as Error).message}); revocations from other instances apply within API_KEY_CACHE_TTL_MS until it can`,
      );
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.cache.evictAll(); // anything announced before LISTEN took effect
    if (this.failedAttempts > 0) this.logger.log('listening for API key revocations again');
    this.failedAttempts = 0;
  }

  private lost(client: Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.cache.evictAll();
    if (this.stopped) return;
    this.logger.warn('lost the API key revocation listener; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failedAttempts++, RECONNECT_DELAYS_MS.length - 1)];
    this.reconnectTimer = setTimeout(() => void this.listen(), delay);
    this.reconnectTimer.unref();
  }

  private apply(payload: string | undefined): void {
    let revocation: Partial<{ key_id: unknown; tenant_id: unknown }>;
    try {
      revocation = JSON.parse(payload ?? '') as typeof revocation;
    } catch {
      this.cache.evictAll(); // unreadable: assume the worst
      return;
    }
    if (typeof revocation.key_id === 'string') this.cache.evictKey(revocation.key_id);
    else if (typeof revocation.tenant_id === 'string') this.cache.evictTenant(revocation.tenant_id);
    else this.cache.evictAll();
  }
}
