import { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { Environment } from './environment';

/**
 * Global configuration from one already-validated `Environment` (main.ts validates
 * process.env once, before anything starts; tests pass their own). Read it with
 * `ConfigService<Environment, true>`; process.env is never consulted again, so two broker
 * instances in one test process can run with different settings.
 */
export function brokerConfigModule(env: Environment): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: [() => ({ ...env })],
  });
}
