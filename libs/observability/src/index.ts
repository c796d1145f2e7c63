export * from './health/health.service';
export * from './logging/logger-params';
export * from './logging/request-id';
export * from './metrics/metric-factory';
export * from './metrics/metrics.service';
export * from './observability.module';
export * from './observability.options';
