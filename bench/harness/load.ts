import autocannon from 'autocannon';
import { percentile } from './latency';

export interface LoadRequest {
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  linksPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  links: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

/**
 * Drives POST /v1/login-links with autocannon; each connection cycles through the given requests
 * (several tenants, both providers). Only 201 answers count as links; latencies are those of
 * every answer, measured per response so p95 is exact (autocannon only reports p90/p97.5).
 * With `rate`, a fixed request rate instead of as many as the server answers: the machine keeps
 * idle time, so CPU per link is measured without the noise of a saturated machine.
 */
export async function driveLinks(
  url: string,
  requests: LoadRequest[],
  connections: number,
  durationSeconds: number,
  /** Requests per second over all connections; undefined: as fast as the server answers. */
  rate?: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url,
    connections,
    duration: durationSeconds,
    timeout: 10,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: requests.map((r) => ({
      method: 'POST',
      path: '/v1/login-links',
      headers: { 'content-type': 'application/json', ...r.headers },
      body: r.body,
    })),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const links = statuses['201'] ?? 0;
  return {
    linksPerSecond: Math.round(links / durationSeconds),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    requests: result.requests.total,
    links,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export interface GetResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/**
 * Drives `GET path` with autocannon (e.g. `/health/live`): answers per second and latency. With
 * `workers` > 0 the connections are spread over that many worker threads, so a fast handler is
 * not limited by one load-generating thread; latencies then come from autocannon's histogram.
 */
export async function driveGet(
  url: string,
  path: string,
  connections: number,
  durationSeconds: number,
  workers = 0,
): Promise<GetResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: `${url}${path}`,
    connections,
    duration: durationSeconds,
    timeout: 10,
    ...(workers > 0 ? { workers } : {}),
  });
  if (workers === 0)
    instance.on('response', (_client, _statusCode, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  const result = await instance;
  return {
    requestsPerSecond: Math.round(result['2xx'] / durationSeconds),
    p50: workers === 0 ? percentile(latencies, 50) : result.latency.p50,
    p99: workers === 0 ? percentile(latencies, 99) : result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
