import type { FastifyRequest } from 'fastify';

export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template (`/v1/tenants/:tenant_id`), never the raw URL: raw paths would explode the
 * label cardinality and copy launch tokens (`/l/{opaque}`) into the metrics. Requests no route
 * matched (404s) are `unmatched`.
 */
export function routeLabel(request: Pick<FastifyRequest, 'is404' | 'routeOptions'>): string {
  return request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
}
