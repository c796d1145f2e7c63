export * from './acronis-simulator';
export * from './acronis-simulator.options';
export { acronisOptionsFromEnv, describeAcronisSimulator } from './acronis-env';
export { ACRONIS_SESSION_COOKIE } from './ott-login.handler';
export type { FaultController, FaultSpec } from '@app/simulator-kit';
