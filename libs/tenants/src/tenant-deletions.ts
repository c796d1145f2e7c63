import { Injectable } from '@nestjs/common';

/**
 * Tells in-process caches (the API key cache in @app/auth, which depends on this library and so
 * cannot be called from it) that a tenant and everything cascading from it is gone.
 */
@Injectable()
export class TenantDeletions {
  private readonly listeners: Array<(tenantId: string) => void> = [];

  subscribe(listener: (tenantId: string) => void): void {
    this.listeners.push(listener);
  }

  publish(tenantId: string): void {
    for (const listener of this.listeners) listener(tenantId);
  }
}
