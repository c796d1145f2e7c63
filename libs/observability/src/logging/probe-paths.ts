/** Paths polled by orchestrators and scrapers: their successful answers are logged at debug only. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

export function isProbePath(url: string | undefined): boolean {
  if (url === undefined) return false;
  // Asked once per request: no array from split().
  const query = url.indexOf('?');
  return PROBE_PATHS.has(query === -1 ? url : url.slice(0, query));
}
