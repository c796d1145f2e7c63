import type { TenantScope } from '@app/common';
import { type ConnectionPolicy, ConnectionsService, type LaunchConfirmation } from '@app/connections';
import type { StatementPrelude } from '@app/database';
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
  policy: ConnectionPolicy;
  launchConfirmation: LaunchConfirmation;
  /** The tenant's ceiling on launch-link lifetimes in seconds, if it has one. */
  maxLaunchExpiresIn: number | null;
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

  /** `prelude`: writes to make in the same round trip (a deferred rate-limit charge); may throw first. */
  async resolve(scope: TenantScope, connectionRef: string, prelude?: StatementPrelude): Promise<LinkTarget> {
    const { connection, tenant, context } = await this.connections.resolveForLink(scope, connectionRef, { prelude });
    return {
      scope,
      connectionId: connection.id,
      providerKind: connection.provider,
      provider: this.registry.get(connection.provider),
      context,
      launchExpiresIn: connection.launchExpiresIn,
      policy: connection.policy,
      launchConfirmation: connection.launchConfirmation,
      maxLaunchExpiresIn: tenant.maxLaunchExpiresIn,
    };
  }
}
