import { SkipThrottle } from '@nestjs/throttler';

/**
 * For orchestrator probes and metric scrapes: a 429 on /health/ready would take a healthy
 * instance out of rotation.
 */
export const SkipRateLimit = () => SkipThrottle({ key: true, tenant: true, ip: true });
