import { normalizeHttpUrl } from '@app/providers';
import { ConnectionsException, ConnectionsExceptionCode } from './connections.exception';

/**
 * The canonical base URL providers append API paths to: absolute http(s), no user info (a
 * credential in a URL ends up in logs), no query or fragment (they would be silently dropped or
 * misplaced by path concatenation), no trailing slash.
 */
export function parseBaseUrl(raw: string): string {
  const normalized = normalizeHttpUrl(raw);
  if (normalized === undefined) throw invalidBaseUrl('base_url must be an absolute http or https URL');
  const url = new URL(normalized);
  if (url.username !== '' || url.password !== '') throw invalidBaseUrl('base_url must not contain credentials');
  if (normalized.includes('?')) throw invalidBaseUrl('base_url must not contain a query string');
  if (normalized.includes('#')) throw invalidBaseUrl('base_url must not contain a fragment');
  return normalized.replace(/\/+$/, '');
}

function invalidBaseUrl(message: string): ConnectionsException {
  return new ConnectionsException(400, ConnectionsExceptionCode.INVALID_BASE_URL, 'The base_url is not usable.', {
    errors: [{ field: 'base_url', message }],
  });
}
