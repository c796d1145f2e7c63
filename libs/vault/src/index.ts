export * from './crypto';
export { ConnectionSecretsStore } from './secrets/connection-secrets.store';
export type { CredentialInfo } from './secrets/connection-secrets.store';
export { MasterKeyCoverageError } from './vault.exception';
export { VaultService } from './vault.service';
export { VaultRewrapService, REWRAP_BATCH_SIZE } from './rewrap/vault-rewrap.service';
export type { RewrapResult } from './rewrap/vault-rewrap.service';
export { VaultModule } from './vault.module';
