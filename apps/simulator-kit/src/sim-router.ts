import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: Record<string, string>,
) => void | Promise<void>;

export interface RouteMatch {
  /** The route's template, e.g. `/api/2/clients/{client_id}`: the key for per-path counters. */
  template: string;
  handler?: RouteHandler;
  allowed: string[];
  params: Record<string, string>;
}

interface ParamRoute {
  template: string;
  pattern: RegExp;
  names: string[];
  methods: Map<string, RouteHandler>;
}

/** Method + path router: static paths by map lookup, `{param}` templates by regex. */
export class SimRouter {
  private readonly staticRoutes = new Map<string, Map<string, RouteHandler>>();
  private readonly paramRoutes: ParamRoute[] = [];

  on(method: string, template: string, handler: RouteHandler): this {
    if (!template.includes('{')) {
      const methods = this.staticRoutes.get(template) ?? new Map<string, RouteHandler>();
      methods.set(method, handler);
      this.staticRoutes.set(template, methods);
      return this;
    }
    let route = this.paramRoutes.find((r) => r.template === template);
    if (!route) {
      const names: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      route = { template, pattern: new RegExp(`^${source}$`), names, methods: new Map() };
      this.paramRoutes.push(route);
    }
    route.methods.set(method, handler);
    return this;
  }

  match(method: string, path: string): RouteMatch | undefined {
    const methods = this.staticRoutes.get(path);
    if (methods) return { template: path, handler: methods.get(method), allowed: [...methods.keys()], params: {} };
    for (const route of this.paramRoutes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        const value = safeDecode(found[i + 1]);
        if (value === undefined) return undefined;
        params[name] = value;
      }
      return {
        template: route.template,
        handler: route.methods.get(method),
        allowed: [...route.methods.keys()],
        params,
      };
    }
    return undefined;
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
