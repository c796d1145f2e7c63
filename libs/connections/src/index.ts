export { ConnectionsModule } from './connections.module';
export { ConnectionsService } from './connections.service';
export type { ResolvedConnection } from './connections.service';
export { CreateConnectionDto } from './dto/create-connection.dto';
export { LAUNCH_EXPIRY_BOUNDS } from './dto/launch-expiry';
export { UpdateConnectionDto } from './dto/update-connection.dto';
export { ConnectionCheckDto, ConnectionDto, ConnectionPageDto, CredentialInfoDto } from './dto/connection.dto';
export { ConnectionsException, ConnectionsExceptionCode, connectionNotFound } from './connections.exception';
export {
  ConnectionPolicyDto,
  SubjectPolicyDto,
  SubjectRulesDto,
  LAUNCH_CONFIRMATIONS,
  MAX_LINKS_PER_SUBJECT_PER_HOUR,
  plainPolicy,
} from './dto/connection-policy.dto';
export type { ConnectionPolicy, LaunchConfirmation, SubjectRules } from './dto/connection-policy.dto';
