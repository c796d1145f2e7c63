export * from './expiring-store';
export * from './fault-controller';
export * from './http-io';
export * from './sim-clock';
export * from './sim-counters';
export * from './sim-router';
export * from './sim-server';
export * from './env-parsing';
