// `/l/{opaque}` carries a bearer launch token in its path: whoever reads the log could redeem it.
const LAUNCH_PATH = /^\/l\/[^?#]*(?:[?#].*)?$/;

/** The request URL as it may appear in logs: launch tokens (and their query) replaced. */
export function loggableUrl(url: string): string {
  return LAUNCH_PATH.test(url) ? '/l/[Redacted]' : url;
}
