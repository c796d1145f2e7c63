export * from './dev-master-key';
export * from './envelope-cipher';
export * from './master-key-ring';
export type { SecretBinding } from './secret-binding';
export * from './vault-crypto.exception';
