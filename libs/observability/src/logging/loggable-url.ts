import { SECRET_FIELD_NAMES } from './redaction';

// `/l/{opaque}` carries a bearer launch token in its path: whoever reads the log could redeem it.
const LAUNCH_PATH = /^\/l\/[^?#]*(?:[?#].*)?$/;

/**
 * The request URL as it may appear in logs: launch tokens (and their query) replaced, and the
 * value of every query parameter named like a secret (`access_token`, `key`, `token`, `api_key`,
 * …) replaced too, since clients do put keys in URLs even though the broker refuses them there.
 */
export function loggableUrl(url: string): string {
  if (LAUNCH_PATH.test(url)) return '/l/[Redacted]';
  const query = url.indexOf('?');
  if (query === -1) return url;
  return url.slice(0, query + 1) + url.slice(query + 1).replace(/([^&=]*)=([^&]*)/g, redactParameter);
}

function redactParameter(pair: string, name: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    decoded = name;
  }
  return SECRET_FIELD_NAMES.has(decoded.toLowerCase()) ? `${name}=[Redacted]` : pair;
}
