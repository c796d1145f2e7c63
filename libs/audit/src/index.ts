export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { AuditStore } from './store/audit.store';
export type { CompanionWrite, CompanionColumn } from './store/companion-write';
export { BROKER_CHAIN, BROKER_CHAIN_ID, chainIdOf } from './store/audit-chain';
export type { AuditChain, BrokerChain } from './store/audit-chain';
export { AuditUnavailableException } from './audit.exception';
export { AUDIT_ACTIONS, AUDIT_OUTCOMES, AUDIT_ACTOR_TYPES } from './audit-action';
export type { AuditAction, AuditOutcome, AuditActorType } from './audit-action';
export type { AuditRecordInput, AuditSubject, RecordedAuditEvent } from './audit-record.input';
export { AuditQueryService } from './query/audit-query.service';
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
