import type { Request } from 'express';

export const UNMATCHED_ROUTE = 'unmatched';

type RoutedRequest = Pick<Request, 'baseUrl' | 'route'>;

/** The template of the express route currently dispatching `req`, if any. */
export function routeTemplateOf(req: RoutedRequest): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : undefined;
}

/**
 * The route template (`/v1/tenants/:tenant_id`), never the raw URL: raw paths would explode the
 * label cardinality and copy launch tokens (`/l/{opaque}`) into the metrics.
 *
 * Nest mounts module middleware as express routes (`/{*path}`), so `req.route` is also set when
 * no controller matched; `middlewareTemplate` is the template seen when the metrics middleware
 * ran, and a request that never got past such a template is unmatched.
 */
export function routeLabel(req: RoutedRequest, middlewareTemplate: string | undefined): string {
  const template = routeTemplateOf(req);
  return template === undefined || template === middlewareTemplate ? UNMATCHED_ROUTE : template;
}
