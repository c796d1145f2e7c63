export const REDACTED = '[Redacted]';

/** Header paths for pino's `redact.paths` (headers are logged through the req/res serializers). */
export const REDACTED_HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-vsaas-api-key"]',
  // The Idempotency-Key derives the key that seals a stored answer (docs/links.md#idempotency-key).
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
];

/** Field names whose values are secrets wherever they appear in a logged object. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  'client_secret',
  'bearer_token',
  'api_key',
  'password',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'credentials',
  'autologin_token',
  'ott',
  'authorization',
  'x-vsaas-api-key',
  'idempotency-key',
]);

const MAX_DEPTH = 8;

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of a logged object with every secret-named field replaced, at any depth. pino's own
 * redaction wildcards match one level each and cost ~20x per line when spelled out for every
 * depth; this walk only visits plain objects and arrays (requests, responses and errors go
 * through their serializers) and copies only the branches it changes.
 */
export function redactSecretFields<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || !isPlainContainer(value)) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => redactSecretFields(item, depth + 1));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [name, field] of Object.entries(value)) {
    const redacted = SECRET_FIELD_NAMES.has(name.toLowerCase()) ? REDACTED : redactSecretFields(field, depth + 1);
    if (redacted !== field) (copy ??= { ...value })[name] = redacted;
  }
  return (copy ?? value) as T;
}
