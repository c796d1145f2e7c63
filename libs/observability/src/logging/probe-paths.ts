/** Paths polled by orchestrators and scrapers: their successful answers are logged at debug only. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

export function isProbePath(url: string | undefined): boolean {
  return PROBE_PATHS.has((url ?? '').split('?', 1)[0]);
}
