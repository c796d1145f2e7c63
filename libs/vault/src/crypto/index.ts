export * from './dev-master-key';
export * from './envelope-cipher';
export * from './master-key-ring';
export { CURRENT_AAD_VERSION } from './secret-binding';
export type { AadVersion, SecretBinding } from './secret-binding';
export { secretOrigin } from './secret-origin';
export * from './vault-crypto.exception';
