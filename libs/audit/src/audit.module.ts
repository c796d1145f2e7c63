import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditCheckpointQueryService } from './checkpoints/audit-checkpoint-query.service';
import {
  AUDIT_CHECKPOINT_SETTINGS_PROVIDER,
  CHECKPOINT_SIGNER_PROVIDER,
} from './checkpoints/audit-checkpoint.settings';
import { AuditCheckpointStore } from './checkpoints/audit-checkpoint.store';
import { AuditCheckpointer } from './checkpoints/audit-checkpointer';
import { CheckpointWebhook } from './checkpoints/checkpoint-webhook';
import { AuditExportService } from './export/audit-export.service';
import { AuditQueryService } from './query/audit-query.service';
import { AuditStatsService } from './query/audit-stats.service';
import { AuditLongReadStore } from './store/audit-long-reads.store';
import { AuditStore } from './store/audit.store';
import { AuditVerifyService } from './verify/audit-verify.service';

/**
 * Global: every module records through the one AuditService without importing this module.
 * The checkpoint providers (signer, round, sinks) live here too: verify checks stored
 * checkpoints with the same signer that makes them.
 */
@Global()
@Module({
  providers: [
    AuditStore,
    AuditLongReadStore,
    AuditService,
    AuditQueryService,
    AuditStatsService,
    AuditExportService,
    AuditVerifyService,
    AUDIT_CHECKPOINT_SETTINGS_PROVIDER,
    CHECKPOINT_SIGNER_PROVIDER,
    AuditCheckpointStore,
    AuditCheckpointer,
    CheckpointWebhook,
    AuditCheckpointQueryService,
  ],
  exports: [
    AuditService,
    AuditQueryService,
    AuditStatsService,
    AuditExportService,
    AuditVerifyService,
    AuditCheckpointer,
    CheckpointWebhook,
    AuditCheckpointQueryService,
  ],
})
export class AuditModule {}
