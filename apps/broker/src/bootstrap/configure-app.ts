import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Environment } from '@app/config';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation.pipe';
import { setupOpenApi } from './openapi';

export const MAX_BODY_BYTES = 64 * 1024;

/** Everything main.ts and the e2e harness both need, so tests exercise the real stack. */
export function configureApp(app: NestExpressApplication, env: Environment): void {
  app.disable('x-powered-by');
  if (env.TRUST_PROXY) app.set('trust proxy', parseTrustProxy(env.TRUST_PROXY));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
