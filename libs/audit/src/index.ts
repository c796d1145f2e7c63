export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { AuditStore } from './store/audit.store';
export { fromEvent } from './store/companion-write';
export type { CompanionWrite, CompanionColumn, EventField } from './store/companion-write';
export { BROKER_CHAIN, BROKER_CHAIN_ID, chainIdOf } from './store/audit-chain';
export type { AuditChain, BrokerChain } from './store/audit-chain';
export { AuditReadsBusyException, AuditUnavailableException } from './audit.exception';
export { AUDIT_ACTIONS, AUDIT_OUTCOMES, AUDIT_ACTOR_TYPES } from './audit-action';
export type { AuditAction, AuditOutcome, AuditActorType } from './audit-action';
export type { AuditRecordInput, AuditSubject, RecordedAuditEvent } from './audit-record.input';
export { AuditQueryService } from './query/audit-query.service';
export { AuditStatsService } from './query/audit-stats.service';
export { AuditStatsDto, AuditStatsQueryDto } from './dto/audit-stats.dto';
export { AuditExportService } from './export/audit-export.service';
export type { AuditExport } from './export/audit-export.service';
export { AuditVerifyService } from './verify/audit-verify.service';
export { AuditEventFiltersDto } from './dto/audit-event-filters.dto';
export { ListAuditEventsQueryDto } from './dto/list-audit-events-query.dto';
export { ExportAuditEventsQueryDto, EXPORT_FORMATS } from './dto/export-audit-events-query.dto';
export type { ExportFormat } from './dto/export-audit-events-query.dto';
export { VerifyAuditChainQueryDto } from './dto/verify-audit-chain-query.dto';
export {
  AuditEventDto,
  AuditEventPageDto,
  AuditChainVerdictDto,
  AuditActorDto,
  AuditSubjectDto,
} from './dto/audit-event.dto';
export { verifyChain } from './store/verify-chain';
export { ChainVerifier } from './chain/chain-verifier';
export type { ChainVerdict, ChainHead } from './chain/chain-verifier';
export { eventHash, canonicalSerialisation, canonicalJson, CANONICAL_VERSION } from './chain/canonical-event';
export { GENESIS_HASH } from './chain/chained-event';
export type { ChainedEvent, StoredChainedEvent } from './chain/chained-event';
export { CSV_COLUMNS } from './store/audit-export.sql';
export type { ChainProblem, ChainProblemKind, ChainAnchor, ChainLink } from './chain/chain-verifier';
export { MAX_CLOCK_SKEW_MS } from './chain/chain-verifier';
export type { ChainCheckVerdict, ExternalCheckpoint, LatestCheckpoint, VerifyChainOptions } from './store/verify-chain';
export { AuditChainProblemDto, AuditLatestCheckpointDto } from './dto/audit-event.dto';
export {
  AuditCheckpointDto,
  AuditCheckpointPageDto,
  AuditCheckpointPublicKeyDto,
  AuditCheckpointPublicKeysDto,
  ListAuditCheckpointsQueryDto,
} from './dto/audit-checkpoint.dto';
export { AuditCheckpointQueryService } from './checkpoints/audit-checkpoint-query.service';
export { AuditCheckpointer, EVENT_BUDGET_PER_ROUND } from './checkpoints/audit-checkpointer';
export type { CheckpointRoundResult } from './checkpoints/audit-checkpointer';
export { CheckpointWebhook, retryDelaySeconds } from './checkpoints/checkpoint-webhook';
export { AuditCheckpointStore } from './checkpoints/audit-checkpoint.store';
export { CheckpointFileSink, checkpointFileName } from './checkpoints/checkpoint-file-sink';
export { CheckpointSigner, checkpointText, openCheckpoint, parseCheckpointText } from './checkpoints/checkpoint-note';
export type {
  CheckpointStatement,
  OpenedCheckpoint,
  ParsedCheckpoint,
  PublicKeyInfo,
} from './checkpoints/checkpoint-note';
export { AuditSigningKeyRing, SigningKeyConfigError } from './checkpoints/signing-key-ring';
export { loadOrCreateDevSigningKey, readDevSigningKey, DEV_SIGNING_KEY_FILE } from './checkpoints/dev-signing-key';
export {
  formatSignedNote,
  noteKeyId,
  openSignedNote,
  parseSignedNote,
  parseVerifierKey,
  verifierKeyString,
  NoteFormatError,
} from './checkpoints/signed-note';
export type { NoteVerifierKey, NoteSignature } from './checkpoints/signed-note';
export { auditVerifyCommand, AUDIT_VERIFY_USAGE } from './verify-tool/audit-verify-command';
export type { CliIo } from './verify-tool/audit-verify-command';
export { verifyExportFiles, storedEventOf } from './verify-tool/verify-export';
export type { ExportVerdict, ExportChainVerdict } from './verify-tool/verify-export';
export { checkpointFilesOf, readCheckpointFiles, splitNotes, streamNotes } from './verify-tool/checkpoint-files';
