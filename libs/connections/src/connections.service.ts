import type { StatementPrelude } from '@app/database';
import { AuditService } from '@app/audit';
import {
  isBrokerException,
  type Page,
  type PageQueryDto,
  type RequestContext,
  type TenantScope,
  toPage,
} from '@app/common';
import { isUniqueViolation, pgErrorCode, PG_FOREIGN_KEY_VIOLATION } from '@app/database';
import {
  type CheckResult,
  type ConnectionContext,
  EgressGuard,
  type ParsedCredentials,
  ProviderException,
  ProviderExceptionCode,
  ProviderRegistry,
} from '@app/providers';
import { createdAtCursorOf, tenantNotFound, TenantsService, tenantSuspended } from '@app/tenants';
import { ConnectionSecretsStore, type CredentialInfo, secretOrigin, VaultService } from '@app/vault';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { parseBaseUrl } from './base-url';
import { connectionContext } from './connection-context.factory';
import {
  connectionNameTaken,
  connectionNotFound,
  ConnectionsException,
  ConnectionsExceptionCode,
  credentialsRequiredForNewOrigin,
} from './connections.exception';
import { ConnectionsStore } from './connections.store';
import type { ConnectionDto } from './dto/connection.dto';
import { type ConnectionPolicy, type LaunchConfirmation, plainPolicy } from './dto/connection-policy.dto';
import type { CreateConnectionDto } from './dto/create-connection.dto';
import type { UpdateConnectionDto } from './dto/update-connection.dto';
import type { ConnectionEntity } from './entities/connection.entity';

const NAME_UNIQUE_CONSTRAINT = 'connections_tenant_id_name_key';

export interface ResolvedConnection {
  connection: {
    id: string;
    provider: string;
    launchExpiresIn: number | null;
    policy: ConnectionPolicy;
    launchConfirmation: LaunchConfirmation;
  };
  /** The tenant's display name and its ceiling on launch-link lifetimes (docs/links.md). */
  tenant: { name: string; maxLaunchExpiresIn: number | null };
  context: ConnectionContext;
}

/**
 * Each change and its audit event share one transaction: if the event cannot be written, the
 * change rolls back. Input is validated by the connection's provider before anything is written.
 */
@Injectable()
export class ConnectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConnectionsStore,
    private readonly secrets: ConnectionSecretsStore,
    private readonly registry: ProviderRegistry,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly tenants: TenantsService,
    private readonly egress: EgressGuard,
  ) {}

  async create(scope: TenantScope, dto: CreateConnectionDto, ctx: RequestContext): Promise<ConnectionDto> {
    const provider = this.registry.get(dto.provider);
    const baseUrl = parseBaseUrl(dto.base_url);
    const settings = provider.parseSettings(dto.settings ?? {});
    const credentials = provider.parseCredentials(dto.credentials);
    await this.vetUpstream(baseUrl);
    const id = randomUUID();
    const launchExpiresIn = dto.launch_expires_in ?? null;
    const policy = plainPolicy(dto.policy);
    const launchConfirmation = dto.launch_confirmation ?? 'auto';
    return this.mapWriteErrors(dto.name, () =>
      this.dataSource.transaction(async (tx) => {
        const saved = await this.store.insert(
          scope,
          {
            id,
            name: dto.name,
            provider: provider.kind,
            baseUrl,
            settings,
            launchExpiresIn,
            policy,
            launchConfirmation,
          },
          tx,
        );
        const credential = await this.writeCredential(scope, id, baseUrl, credentials, 1, tx);
        await this.audit.record(tx, {
          action: 'connection.created',
          outcome: 'success',
          scope,
          ctx,
          connectionId: id,
          provider: provider.kind,
          metadata: {
            name: dto.name,
            base_url: baseUrl,
            launch_expires_in: launchExpiresIn,
            policy,
            launch_confirmation: launchConfirmation,
            credential_kind: credentials.kind,
            credential_version: 1,
          },
        });
        return this.map(saved, credential);
      }),
    );
  }

  /** Both reads share one snapshot, so every listed connection has its credential row. */
  async list(scope: TenantScope, page: PageQueryDto): Promise<Page<ConnectionDto>> {
    await this.tenants.get(scope);
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const rows = await this.store.list(scope, page, tx);
      const credentials = await this.secrets.infoByConnection(
        scope,
        rows.map((row) => row.id),
        tx,
      );
      return toPage(rows, page.limit, (row) => this.map(row, credentials.get(row.id)), createdAtCursorOf);
    });
  }

  async get(scope: TenantScope, connectionId: string): Promise<ConnectionDto> {
    await this.tenants.get(scope);
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const connection = await this.store.find(scope, connectionId, tx);
      if (connection === null) throw connectionNotFound();
      const credentials = await this.secrets.infoByConnection(scope, [connection.id], tx);
      return this.map(connection, credentials.get(connection.id));
    });
  }

  /**
   * name, base_url, settings (re-validated by the provider), launch_expires_in, policy (replaced
   * as a whole), launch_confirmation and credentials; the provider kind never changes. A base_url
   * with another origin needs the credentials for it in the same request (the stored one is bound
   * to its origin); a new path on the same origin does not. The event records what changed, before
   * and after, never a secret.
   */
  async update(
    scope: TenantScope,
    connectionId: string,
    dto: UpdateConnectionDto,
    ctx: RequestContext,
  ): Promise<ConnectionDto> {
    if (
      dto.name === undefined &&
      dto.base_url === undefined &&
      dto.settings === undefined &&
      dto.launch_expires_in === undefined &&
      dto.policy === undefined &&
      dto.launch_confirmation === undefined &&
      dto.credentials === undefined
    ) {
      throw new ConnectionsException(
        400,
        ConnectionsExceptionCode.EMPTY_PATCH,
        'The patch must change name, base_url, settings, launch_expires_in, policy, launch_confirmation or credentials.',
      );
    }
    const baseUrl = dto.base_url === undefined ? undefined : parseBaseUrl(dto.base_url);
    if (baseUrl !== undefined) await this.vetUpstream(baseUrl);
    await this.tenants.get(scope);
    return this.mapWriteErrors(dto.name ?? '', () =>
      this.dataSource.transaction(async (tx) => {
        const current = await this.lock(scope, connectionId, tx);
        const provider = this.registry.get(current.provider);
        if (baseUrl !== undefined && secretOrigin(baseUrl) !== secretOrigin(current.baseUrl) && !dto.credentials) {
          throw credentialsRequiredForNewOrigin();
        }
        const credentials = dto.credentials === undefined ? undefined : provider.parseCredentials(dto.credentials);
        const patch = {
          name: dto.name,
          base_url: baseUrl,
          settings: dto.settings === undefined ? undefined : provider.parseSettings(dto.settings),
          launch_expires_in: dto.launch_expires_in,
          policy: dto.policy === undefined ? undefined : plainPolicy(dto.policy),
          launch_confirmation: dto.launch_confirmation,
        };
        const given = (Object.keys(patch) as (keyof typeof patch)[]).filter((field) => patch[field] !== undefined);
        const before = auditView(current, given);
        current.name = patch.name ?? current.name;
        current.baseUrl = patch.base_url ?? current.baseUrl;
        current.settings = patch.settings ?? current.settings;
        current.policy = patch.policy ?? current.policy;
        current.launchConfirmation = patch.launch_confirmation ?? current.launchConfirmation;
        if (patch.launch_expires_in !== undefined) current.launchExpiresIn = patch.launch_expires_in;
        const saved = await this.store.save(scope, current, tx);
        const credential =
          credentials === undefined
            ? (await this.secrets.infoByConnection(scope, [connectionId], tx)).get(connectionId)
            : await this.rotateCredential(scope, saved, credentials, ctx, tx);
        await this.audit.record(tx, {
          action: 'connection.updated',
          outcome: 'success',
          scope,
          ctx,
          connectionId,
          provider: current.provider,
          metadata: {
            changed: credentials === undefined ? given : [...given, 'credentials'],
            before,
            after: auditView(saved, given),
            ...(credential !== undefined && credentials !== undefined
              ? { credential_kind: credential.kind, credential_version: credential.version }
              : {}),
          },
        });
        return this.map(saved, credential);
      }),
    );
  }

  /** The secret row goes with the connection (ON DELETE CASCADE): its ciphertext is destroyed. */
  async delete(scope: TenantScope, connectionId: string, ctx: RequestContext): Promise<void> {
    await this.tenants.get(scope);
    await this.dataSource.transaction(async (tx) => {
      const deleted = await this.store.delete(scope, connectionId, tx);
      if (deleted === undefined) throw connectionNotFound();
      await this.audit.record(tx, {
        action: 'connection.deleted',
        outcome: 'success',
        scope,
        ctx,
        connectionId,
        provider: deleted.provider,
        metadata: { name: deleted.name },
      });
    });
  }

  /** Replaces the secret: a new version, sealed afresh with that version in its associated data. */
  async replaceCredentials(
    scope: TenantScope,
    connectionId: string,
    raw: unknown,
    ctx: RequestContext,
  ): Promise<ConnectionDto> {
    await this.tenants.get(scope);
    return this.dataSource.transaction(async (tx) => {
      const connection = await this.lock(scope, connectionId, tx);
      const credentials = this.registry.get(connection.provider).parseCredentials(raw);
      const credential = await this.rotateCredential(scope, connection, credentials, ctx, tx);
      return this.map(connection, credential);
    });
  }

  /**
   * Asks the provider to prove the stored credential works upstream, and records
   * `connection.checked` (outcome, and the error code of a failed check) once it has answered.
   */
  async check(scope: TenantScope, connectionId: string, ctx: RequestContext): Promise<CheckResult> {
    const { connection, context } = await this.resolveForLink(scope, connectionId, { requireActiveTenant: false });
    let result: CheckResult;
    try {
      result = await this.registry.get(connection.provider).check(context);
    } catch (error) {
      // e.g. vault_decryption_failed: the stored credential does not open for this base_url.
      if (isBrokerException(error))
        await this.recordCheck(scope, connection, context, { ok: false, code: error.code }, ctx);
      throw error;
    }
    await this.recordCheck(scope, connection, context, result, ctx);
    return result;
  }

  /**
   * A connection (`ref`: its id or name) with what a provider needs to mint, in one query, with
   * these answers in this order: unknown tenant → 404 tenant_not_found, the prelude's own answer
   * (a spent rate-limit budget: 429), suspended (when `requireActiveTenant`) → 403
   * tenant_suspended, unknown connection → 404 connection_not_found.
   */
  async resolveForLink(
    scope: TenantScope,
    ref: string,
    { requireActiveTenant = true, prelude }: { requireActiveTenant?: boolean; prelude?: StatementPrelude } = {},
  ): Promise<ResolvedConnection> {
    const target = await this.store.findLinkTarget(scope, ref, prelude);
    if (target.found === 'no_tenant') throw tenantNotFound();
    prelude?.accept(target.preludeResult);
    if (requireActiveTenant && target.tenantStatus !== 'active') throw tenantSuspended();
    if (target.row === undefined) throw connectionNotFound();
    const row = target.row;
    return {
      connection: {
        id: row.id,
        provider: row.provider,
        launchExpiresIn: row.launch_expires_in,
        policy: row.policy ?? {},
        launchConfirmation: row.launch_confirmation ?? 'auto',
      },
      tenant: { name: target.tenantName, maxLaunchExpiresIn: target.tenantMaxLaunchExpiresIn },
      context: connectionContext(this.vault, row),
    };
  }

  /** The next credential version, sealed for the connection's (possibly just changed) base_url, and its event. */
  private async rotateCredential(
    scope: TenantScope,
    connection: ConnectionEntity,
    credentials: ParsedCredentials,
    ctx: RequestContext,
    tx: EntityManager,
  ): Promise<CredentialInfo> {
    const previous = await this.secrets.lockInfo(scope, connection.id, tx);
    const version = (previous?.version ?? 0) + 1;
    const credential = await this.writeCredential(scope, connection.id, connection.baseUrl, credentials, version, tx);
    await this.audit.record(tx, {
      action: 'credential.rotated',
      outcome: 'success',
      scope,
      ctx,
      connectionId: connection.id,
      provider: connection.provider,
      metadata: { credential_kind: credentials.kind, credential_version: version },
    });
    return credential;
  }

  private recordCheck(
    scope: TenantScope,
    connection: ResolvedConnection['connection'],
    context: ConnectionContext,
    result: Pick<CheckResult, 'ok' | 'code'>,
    ctx: RequestContext,
  ): Promise<unknown> {
    return this.dataSource.transaction((tx) =>
      this.audit.record(tx, {
        action: 'connection.checked',
        outcome: result.ok ? 'success' : 'failure',
        scope,
        ctx,
        connectionId: connection.id,
        provider: connection.provider,
        errorCode: result.ok ? null : (result.code ?? null),
        metadata: { ok: result.ok, base_url: context.baseUrl },
      }),
    );
  }

  /**
   * The egress policy at create/patch time (docs/architecture.md#egress-policy): http where only
   * https is allowed is an unusable base_url; a host that resolves now to a refused address is
   * refused early (the connect-time check still applies on every connection).
   */
  private async vetUpstream(baseUrl: string): Promise<void> {
    const verdict = await this.egress.vetBaseUrl(baseUrl);
    if (verdict.ok) return;
    if (verdict.reason === 'scheme') {
      throw new ConnectionsException(400, ConnectionsExceptionCode.INVALID_BASE_URL, 'The base_url is not usable.', {
        errors: [
          {
            field: 'base_url',
            message: 'base_url must use https (in production http needs UPSTREAM_ALLOW_HTTP=true)',
          },
        ],
      });
    }
    throw new ProviderException(
      400,
      ProviderExceptionCode.UPSTREAM_ADDRESS_NOT_ALLOWED,
      "The base_url's host resolves to an address the broker's egress policy does not allow.",
      {
        errors: [
          {
            field: 'base_url',
            message: `the host resolves to a ${verdict.range} address; UPSTREAM_ALLOWED_NETWORKS can allow its network`,
          },
        ],
      },
    );
  }

  /**
   * Seals `credentials` as secret version `version` of the connection, bound to the origin of
   * `baseUrl`: the version and the origin are in the associated data, so a replaced credential's
   * old blobs can never be replayed onto the row, and no blob opens for another origin.
   */
  private writeCredential(
    scope: TenantScope,
    connectionId: string,
    baseUrl: string,
    credentials: ParsedCredentials,
    version: number,
    tx: EntityManager,
  ): Promise<CredentialInfo> {
    const sealed = this.vault.seal(
      { tenantId: scope.tenantId, connectionId, secretVersion: version, origin: secretOrigin(baseUrl) },
      credentials.value,
    );
    return this.secrets.write(scope, connectionId, { kind: credentials.kind, version, sealed }, tx);
  }

  private async lock(scope: TenantScope, connectionId: string, tx: EntityManager): Promise<ConnectionEntity> {
    const connection = await this.store.lock(scope, connectionId, tx);
    if (connection === null) throw connectionNotFound();
    return connection;
  }

  /** The constraints, not a prior lookup, decide: two concurrent writes cannot both take a name. */
  private async mapWriteErrors<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, NAME_UNIQUE_CONSTRAINT)) throw connectionNameTaken(name);
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw tenantNotFound();
      throw error;
    }
  }

  private map(connection: ConnectionEntity, credential: CredentialInfo | undefined): ConnectionDto {
    // A connection and its credential are created and deleted together, in one transaction.
    if (credential === undefined) throw new Error(`connection ${connection.id} has no credential row`);
    return {
      id: connection.id,
      tenant_id: connection.tenantId,
      name: connection.name,
      provider: connection.provider,
      base_url: connection.baseUrl,
      settings: connection.settings,
      launch_expires_in: connection.launchExpiresIn,
      policy: connection.policy,
      launch_confirmation: connection.launchConfirmation,
      credential: {
        kind: credential.kind,
        version: credential.version,
        updated_at: credential.updatedAt.toISOString(),
      },
      created_at: connection.createdAt.toISOString(),
      updated_at: connection.updatedAt.toISOString(),
    };
  }
}

/** The audited view of the given fields of a connection: never a secret (settings hold none). */
function auditView(connection: ConnectionEntity, fields: string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: connection.name,
    base_url: connection.baseUrl,
    settings: connection.settings,
    launch_expires_in: connection.launchExpiresIn,
    policy: connection.policy,
    launch_confirmation: connection.launchConfirmation,
  };
  return Object.fromEntries(fields.map((field) => [field, all[field]]));
}
