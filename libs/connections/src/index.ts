export { ConnectionsModule } from './connections.module';
export { ConnectionsService } from './connections.service';
export type { ResolvedConnection } from './connections.service';
export { CreateConnectionDto } from './dto/create-connection.dto';
export { LAUNCH_EXPIRY_BOUNDS } from './dto/launch-expiry';
export { UpdateConnectionDto } from './dto/update-connection.dto';
export { ConnectionCheckDto, ConnectionDto, ConnectionPageDto, CredentialInfoDto } from './dto/connection.dto';
export { ConnectionsException, ConnectionsExceptionCode, connectionNotFound } from './connections.exception';
