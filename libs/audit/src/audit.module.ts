import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditExportService } from './export/audit-export.service';
import { AuditQueryService } from './query/audit-query.service';
import { AuditStore } from './store/audit.store';
import { AuditVerifyService } from './verify/audit-verify.service';

/** Global: every module records through the one AuditService without importing this module. */
@Global()
@Module({
  providers: [AuditStore, AuditService, AuditQueryService, AuditExportService, AuditVerifyService],
  exports: [AuditService, AuditQueryService, AuditExportService, AuditVerifyService],
})
export class AuditModule {}
