import { IsUrl } from 'class-validator';

/** class-validator IsUrl options for absolute http(s) URLs; http and bare hosts are allowed for local simulators. */
export const HTTP_URL_OPTIONS: Parameters<typeof IsUrl>[0] = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  disallow_auth: true,
};

/** Canonical form used to compare URLs; undefined when not an absolute http(s) URL. */
export function normalizeHttpUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
