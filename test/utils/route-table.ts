import type { NestExpressApplication } from '@nestjs/platform-express';

export interface RouteEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express path template, e.g. /v1/tenants/:tenant_id */
  path: string;
  params: string[];
}

const API_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * The routes the running app really serves, read from Express's router after boot, so a new
 * controller route shows up here without anyone editing a list. OpenAPI/Swagger routes that
 * are served as static documents are left out.
 */
export function routeTable(app: NestExpressApplication): RouteEntry[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const entries: RouteEntry[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const { path } = layer.route;
    // The API document and Swagger UI are static; a `{*path}` catch-all only answers unmatched requests.
    if (path.startsWith('/docs') || path.startsWith('/openapi.') || path.includes('{*')) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (!enabled || !API_METHODS.has(method.toUpperCase())) continue;
      entries.push({
        method: method.toUpperCase() as RouteEntry['method'],
        path,
        params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
      });
    }
  }
  return entries;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name]));
}
