export * from './flussonic-simulator';
export * from './flussonic-simulator.options';
export { describeFlussonicSimulator, flussonicOptionsFromEnv } from './flussonic-env';
export { buildAdminToken } from './admin-token';
export { VSAAS_SESSION_COOKIE, WATCHER_UI_PATH } from './autologin.handler';
export type { FaultController, FaultSpec } from '@app/simulator-kit';
