import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The web console's files: everything comes from this origin (no CDN, no web font), scripts only
 * from the bundle, and the page may not be framed. Mantine writes its theme variables into a
 * <style> element, hence 'unsafe-inline' for styles only; `connect-src 'self'` keeps the console's
 * API calls on this broker.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/console, built by `npm run build` (vite); found from compiled code (dist/…) and from sources (tests). */
export function consoleDirectory(): string | null {
  const root = resolve(__dirname, '..', '..', '..', '..');
  for (const candidate of [join(root, 'console'), join(root, 'dist', 'console')])
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  return null;
}

/**
 * Serves the console at /console/ (docs/architecture.md#web-console). Its pages are routed in the
 * URL fragment, so /console/ is the only document; the hashed assets are cached for good, the
 * document is revalidated so a new release is picked up at once. Returns false when the console
 * was not built (the API works without it).
 */
export function registerConsole(fastify: FastifyInstance): boolean {
  const directory = consoleDirectory();
  if (directory === null) return false;
  void fastify.register(fastifyStatic, {
    root: directory,
    prefix: '/console/',
    // Swagger UI registers @fastify/static too, with the reply decorators.
    decorateReply: false,
    index: ['index.html'],
    wildcard: false,
    setHeaders: (res, path) => {
      res.header('Content-Security-Policy', CONSOLE_CSP);
      res.header('X-Content-Type-Options', 'nosniff');
      res.header('Referrer-Policy', 'no-referrer');
      res.header(
        'Cache-Control',
        path.includes(`${join('console', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return true;
}
