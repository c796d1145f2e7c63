import { decodeCursor, encodeCursor, type Page, type TenantSelection, toPage } from '@app/common';
import { Injectable } from '@nestjs/common';
import type {
  AuditCheckpointDto,
  AuditCheckpointPublicKeysDto,
  ListAuditCheckpointsQueryDto,
} from '../dto/audit-checkpoint.dto';
import { AuditCheckpointStore, type StoredCheckpointRow } from './audit-checkpoint.store';
import { CheckpointSigner } from './checkpoint-note';

const isCheckpointCursor = (value: Record<string, unknown>): value is { c: string } =>
  typeof value.c === 'string' && /^[1-9]\d{0,18}$/.test(value.c);

@Injectable()
export class AuditCheckpointQueryService {
  constructor(
    private readonly store: AuditCheckpointStore,
    private readonly signer: CheckpointSigner,
  ) {}

  /** Newest first, keyset-paginated; the cursor only positions within the caller's selection. */
  async list(selection: TenantSelection, query: ListAuditCheckpointsQueryDto): Promise<Page<AuditCheckpointDto>> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isCheckpointCursor).c;
    const rows = await this.store.list(selection, before, query.limit + 1);
    return toPage(rows, query.limit, toCheckpointDto, (row) => encodeCursor({ c: row.id }));
  }

  publicKeys(): AuditCheckpointPublicKeysDto {
    return { keys: this.signer.publicKeys() };
  }
}

function toCheckpointDto(row: StoredCheckpointRow): AuditCheckpointDto {
  return {
    id: row.id,
    chain_id: row.chain_id,
    tenant_id: row.tenant_id,
    seq: Number(row.seq),
    hash: row.hash,
    checkpointed_at: row.checkpointed_at.toISOString(),
    key_id: row.key_id,
    note: row.note,
  };
}
