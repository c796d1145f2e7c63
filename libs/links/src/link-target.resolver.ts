import type { TenantScope } from '@app/common';
import { ConnectionsService } from '@app/connections';
import { type ConnectionContext, type LoginLinkProvider, ProviderRegistry } from '@app/providers';
import { Injectable } from '@nestjs/common';

export interface LinkTarget {
  scope: TenantScope;
  connectionId: string;
  providerKind: string;
  provider: LoginLinkProvider;
  context: ConnectionContext;
  /** The connection's default launch-link lifetime in seconds, if it has one. */
  launchExpiresIn: number | null;
}

/**
 * Everything a link needs, checked afresh for each issue and each redemption: a suspended tenant
 * (403 tenant_suspended) or a deleted connection (404 connection_not_found) gets no link.
 * Tenant and connection are checked in one query.
 */
@Injectable()
export class LinkTargetResolver {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly registry: ProviderRegistry,
  ) {}

  async resolve(scope: TenantScope, connectionRef: string): Promise<LinkTarget> {
    const { connection, context } = await this.connections.resolveForLink(scope, connectionRef);
    return {
      scope,
      connectionId: connection.id,
      providerKind: connection.provider,
      provider: this.registry.get(connection.provider),
      context,
      launchExpiresIn: connection.launchExpiresIn,
    };
  }
}
