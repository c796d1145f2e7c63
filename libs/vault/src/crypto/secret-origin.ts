/**
 * The origin a credential is bound to (docs/vault.md#associated-data): scheme, host and port of
 * an http(s) base URL, with the host as the WHATWG URL parser leaves it (lowercased, IDNA
 * names in their punycode form, IPv6 in brackets, IPv4 in dotted decimal) and the default port
 * made explicit, e.g. `https://eu2-cloud.acronis.com:443`. A path never matters: two base URLs
 * with the same origin reach the same server, so a credential may be used with both.
 */
export function secretOrigin(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('a secret origin needs an http or https URL');
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return `${url.protocol}//${url.hostname}:${port}`;
}
