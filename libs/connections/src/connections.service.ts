import { AuditService } from '@app/audit';
import { Page, PageQueryDto, RequestContext, toPage } from '@app/common';
import { isUniqueViolation, pgErrorCode, PG_FOREIGN_KEY_VIOLATION } from '@app/database';
import { CheckResult, ConnectionContext, ProviderRegistry } from '@app/providers';
import { createdAtCursorOf, keysetByCreatedAt, tenantNotFound, TenantsService, tenantSuspended } from '@app/tenants';
import { VaultService } from '@app/vault';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { parseBaseUrl } from './base-url';
import {
  connectionContext,
  findTargetWithTenantStatus,
  findWithSealedCredential,
  ResolvedConnectionRow,
} from './connection-context.factory';
import {
  CredentialInfo,
  credentialInfoByConnection,
  credentialInfoDto,
  lockCredentialInfo,
  writeSealedCredential,
} from './connection-secrets.store';
import {
  connectionNameTaken,
  connectionNotFound,
  ConnectionsException,
  ConnectionsExceptionCode,
} from './connections.exception';
import { ConnectionDto } from './dto/connection.dto';
import { CreateConnectionDto } from './dto/create-connection.dto';
import { UpdateConnectionDto } from './dto/update-connection.dto';
import { ConnectionEntity } from './entities/connection.entity';

const NAME_UNIQUE_CONSTRAINT = 'connections_tenant_id_name_key';

export interface ResolvedConnection {
  connection: {
    id: string;
    tenantId: string;
    name: string;
    provider: string;
    baseUrl: string;
    launchExpiresIn: number | null;
  };
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
    private readonly registry: ProviderRegistry,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly tenants: TenantsService,
  ) {}

  async create(tenantId: string, dto: CreateConnectionDto, ctx: RequestContext): Promise<ConnectionDto> {
    const provider = this.registry.get(dto.provider);
    const baseUrl = parseBaseUrl(dto.base_url);
    const settings = provider.parseSettings(dto.settings ?? {});
    const credentials = provider.parseCredentials(dto.credentials);
    const id = randomUUID();
    return this.mapWriteErrors(dto.name, () =>
      this.dataSource.transaction(async (manager) => {
        const entity = manager.create(ConnectionEntity, {
          id,
          tenantId,
          name: dto.name,
          provider: provider.kind,
          baseUrl,
          settings,
          launchExpiresIn: dto.launch_expires_in ?? null,
        });
        const saved = await manager.save(entity);
        const credential = await writeSealedCredential(
          manager,
          this.vault,
          { tenantId, connectionId: id },
          credentials,
          1,
        );
        await this.audit.record(manager, {
          action: 'connection.created',
          outcome: 'success',
          tenantId,
          ctx,
          connectionId: id,
          provider: provider.kind,
          metadata: {
            name: dto.name,
            base_url: baseUrl,
            launch_expires_in: dto.launch_expires_in ?? null,
            credential_kind: credentials.kind,
            credential_version: 1,
          },
        });
        return this.map(saved, credential);
      }),
    );
  }

  /** Both reads share one snapshot, so every listed connection has its credential row. */
  async list(tenantId: string, page: PageQueryDto): Promise<Page<ConnectionDto>> {
    await this.tenants.get(tenantId);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const query = manager
        .createQueryBuilder(ConnectionEntity, 'conn')
        .where('conn.tenant_id = :tenantId', { tenantId });
      const rows = await keysetByCreatedAt(query, page).getMany();
      const credentials = await credentialInfoByConnection(
        manager,
        rows.map((row) => row.id),
      );
      return toPage(rows, page.limit, (row) => this.map(row, credentials.get(row.id)), createdAtCursorOf);
    });
  }

  async get(tenantId: string, connectionId: string): Promise<ConnectionDto> {
    await this.tenants.get(tenantId);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const connection = await manager.findOneBy(ConnectionEntity, { tenantId, id: connectionId });
      if (connection === null) throw connectionNotFound();
      const credentials = await credentialInfoByConnection(manager, [connection.id]);
      return this.map(connection, credentials.get(connection.id));
    });
  }

  /** name, base_url, settings (re-validated by the provider) and launch_expires_in; the provider kind never changes. */
  async update(
    tenantId: string,
    connectionId: string,
    dto: UpdateConnectionDto,
    ctx: RequestContext,
  ): Promise<ConnectionDto> {
    if (
      dto.name === undefined &&
      dto.base_url === undefined &&
      dto.settings === undefined &&
      dto.launch_expires_in === undefined
    ) {
      throw new ConnectionsException(
        400,
        ConnectionsExceptionCode.EMPTY_PATCH,
        'The patch must change name, base_url, settings or launch_expires_in.',
      );
    }
    const baseUrl = dto.base_url === undefined ? undefined : parseBaseUrl(dto.base_url);
    await this.tenants.get(tenantId);
    return this.mapWriteErrors(dto.name ?? '', () =>
      this.dataSource.transaction(async (manager) => {
        const current = await this.lockConnection(manager, tenantId, connectionId);
        const changed = Object.entries({
          name: dto.name,
          base_url: baseUrl,
          settings: dto.settings,
          launch_expires_in: dto.launch_expires_in,
        })
          .filter(([, value]) => value !== undefined)
          .map(([field]) => field);
        current.name = dto.name ?? current.name;
        current.baseUrl = baseUrl ?? current.baseUrl;
        if (dto.launch_expires_in !== undefined) current.launchExpiresIn = dto.launch_expires_in;
        if (dto.settings !== undefined)
          current.settings = this.registry.get(current.provider).parseSettings(dto.settings);
        const saved = await manager.save(current);
        const credential = (await credentialInfoByConnection(manager, [connectionId])).get(connectionId);
        await this.audit.record(manager, {
          action: 'connection.updated',
          outcome: 'success',
          tenantId,
          ctx,
          connectionId,
          provider: current.provider,
          metadata: { changed },
        });
        return this.map(saved, credential);
      }),
    );
  }

  /** The secret row goes with the connection (ON DELETE CASCADE): its ciphertext is destroyed. */
  async delete(tenantId: string, connectionId: string, ctx: RequestContext): Promise<void> {
    await this.tenants.get(tenantId);
    await this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(ConnectionEntity)
        .where('tenant_id = :tenantId AND id = :connectionId', { tenantId, connectionId })
        .returning(['name', 'provider'])
        .execute();
      const [deleted] = result.raw as { name: string; provider: string }[];
      if (deleted === undefined) throw connectionNotFound();
      await this.audit.record(manager, {
        action: 'connection.deleted',
        outcome: 'success',
        tenantId,
        ctx,
        connectionId,
        provider: deleted.provider,
        metadata: { name: deleted.name },
      });
    });
  }

  /** Replaces the secret: a new version, sealed afresh with that version in its associated data. */
  async replaceCredentials(
    tenantId: string,
    connectionId: string,
    raw: unknown,
    ctx: RequestContext,
  ): Promise<ConnectionDto> {
    await this.tenants.get(tenantId);
    return this.dataSource.transaction(async (manager) => {
      const connection = await this.lockConnection(manager, tenantId, connectionId);
      const credentials = this.registry.get(connection.provider).parseCredentials(raw);
      const previous = await lockCredentialInfo(manager, connectionId);
      const version = (previous?.version ?? 0) + 1;
      const credential = await writeSealedCredential(
        manager,
        this.vault,
        { tenantId, connectionId },
        credentials,
        version,
      );
      await this.audit.record(manager, {
        action: 'credential.rotated',
        outcome: 'success',
        tenantId,
        ctx,
        connectionId,
        provider: connection.provider,
        metadata: { credential_kind: credentials.kind, credential_version: version },
      });
      return this.map(connection, credential);
    });
  }

  /** Asks the provider to prove the stored credential works upstream. */
  async check(tenantId: string, connectionId: string): Promise<CheckResult> {
    await this.tenants.get(tenantId);
    const { connection, context } = await this.resolveForLink(tenantId, connectionId);
    return this.registry.get(connection.provider).check(context);
  }

  /** For login links: `ref` is the connection's id or name; unknown in this tenant → 404 connection_not_found. */
  async resolveForLink(tenantId: string, ref: string): Promise<ResolvedConnection> {
    const row = await findWithSealedCredential(this.dataSource.manager, tenantId, ref);
    if (row === undefined) throw connectionNotFound();
    return this.resolved(row);
  }

  /**
   * resolveForLink and TenantsService.requireActive in one query, with the same answers in the
   * same order: unknown tenant → 404 tenant_not_found, suspended → 403 tenant_suspended, then
   * unknown connection → 404 connection_not_found.
   */
  async resolveForActiveTenant(tenantId: string, ref: string): Promise<ResolvedConnection> {
    const target = await findTargetWithTenantStatus(this.dataSource.manager, tenantId, ref);
    if (target.found === 'no_tenant') throw tenantNotFound();
    if (target.tenantStatus !== 'active') throw tenantSuspended();
    if (target.row === undefined) throw connectionNotFound();
    return this.resolved(target.row);
  }

  private resolved(row: ResolvedConnectionRow): ResolvedConnection {
    return {
      connection: {
        id: row.id,
        tenantId: row.tenant_id,
        name: row.name,
        provider: row.provider,
        baseUrl: row.base_url,
        launchExpiresIn: row.launch_expires_in,
      },
      context: connectionContext(this.vault, row),
    };
  }

  private async lockConnection(
    manager: EntityManager,
    tenantId: string,
    connectionId: string,
  ): Promise<ConnectionEntity> {
    const connection = await manager.findOne(ConnectionEntity, {
      where: { tenantId, id: connectionId },
      lock: { mode: 'pessimistic_write' },
    });
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
      credential: credentialInfoDto(credential),
      created_at: connection.createdAt.toISOString(),
      updated_at: connection.updatedAt.toISOString(),
    };
  }
}
