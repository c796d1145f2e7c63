export { createSsoBrokerClient, ok, type SsoBrokerClient, type SsoBrokerClientOptions } from './client';
export { type FieldError, type Problem, SsoBrokerError } from './errors';
export { type RetryOptions, retryAfterMs } from './retry';
export type { components, operations, paths } from './schema';
