import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: unknown;
  restart?: string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  healthcheck?: { test: string[] | string; interval?: string; timeout?: string; retries?: number };
  depends_on?: Record<string, { condition?: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readComposeFile(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8')) as ComposeFile;
}

/**
 * Compose's variable interpolation, as `docker compose` applies it to the file before starting
 * anything: `$$` is a literal `$`; `${VAR}` and `$VAR`; `${VAR:-default}` (unset or empty) and
 * `${VAR-default}` (unset); `${VAR:?message}` and `${VAR?message}` fail. Substituted values are
 * not interpolated again. (Nested braces in a default, `${A:-${B}}`, are not supported: the file
 * has none.)
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const current = env[name!];
      const missing = colon ? current === undefined || current === '' : current === undefined;
      if (operator === '-') return missing ? interpolate(argument ?? '', env) : current!;
      if (operator === '?' && missing) throw new Error(`compose: ${name}: ${argument ?? 'required'}`);
      return current ?? '';
    },
  );
}

/** A service's `environment:` after interpolation, as the container would see it. */
export function serviceEnvironment(
  compose: ComposeFile,
  service: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const raw = compose.services[service]?.environment;
  if (!raw) throw new Error(`compose: service ${service} has no environment map`);
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [key, interpolate(value === null ? '' : String(value), env)]),
  );
}
