import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface RouteEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Route template, e.g. /v1/tenants/:tenant_id */
  path: string;
  params: string[];
}

const API_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const tables = new WeakMap<NestFastifyApplication, RouteEntry[]>();

/**
 * Collects every route the app registers with Fastify (an `onRoute` hook), so a new controller
 * route shows up in routeTable() without anyone editing a list. Call it before `listen`/`init`.
 * OpenAPI/Swagger routes and the web console's files (public static documents, one route per
 * file of the build) are left out.
 */
export function recordRoutes(app: NestFastifyApplication): void {
  const entries: RouteEntry[] = [];
  tables.set(app, entries);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const path = route.url;
      // The API document, Swagger UI and the console's files are static; Fastify adds HEAD routes for GET ones itself.
      const staticDocument = ['/docs', '/openapi.', '/console/'].some((prefix) => path.startsWith(prefix));
      if (staticDocument || path.includes('*')) return;
      for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
        if (!API_METHODS.has(method)) continue;
        entries.push({
          method: method as RouteEntry['method'],
          path,
          params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
        });
      }
    });
}

/** The routes the running app really serves (recorded by recordRoutes, which createTestApp calls). */
export function routeTable(app: NestFastifyApplication): RouteEntry[] {
  const entries = tables.get(app);
  if (entries === undefined || entries.length === 0)
    throw new Error('no routes recorded: call recordRoutes before init');
  return entries;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name]));
}
