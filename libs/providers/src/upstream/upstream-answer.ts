import { ProviderException, ProviderExceptionCode } from '../providers.exception';
import { upstreamError } from './upstream-errors';
import { UpstreamResponse } from './upstream-http.client';

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the error name and message from the upstream shapes (docs/providers/acronis.md#error-shapes,
 * docs/providers/flussonic.md#error-statuses):
 * `{error, error_description}` (Acronis token), `{error: {code, message}}` (Acronis errorScheme),
 * `{success: false, error}` (Flussonic, INFERRED) and `{code, errors}`. Anything else yields {}.
 */
export function readUpstreamError(text: string): { name?: string; message?: string } {
  const body = parseJson(text);
  if (!isRecord(body)) return {};
  const { error } = body;
  if (isRecord(error)) return { name: scalar(error.code), message: scalar(error.message) };
  return { name: scalar(error) ?? scalar(body.code), message: scalar(body.error_description) ?? scalar(body.message) };
}

function scalar(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * Upstream text is written to the log only (never to an API answer: docs/api.md#errors), and
 * even there it is shortened, stripped of control characters and of anything shaped like a token
 * (long base64/hex runs) in case an upstream echoes a secret.
 */
export function sanitizeUpstreamText(text: string | undefined, maxLength = 160): string | undefined {
  if (!text) return undefined;
  const cleaned = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[A-Za-z0-9+/=_.:-]{24,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength);
  return cleaned || undefined;
}

/**
 * What the upstream said in an error answer, for the log: "<name>: <message>" from a known JSON
 * error shape, else the start of the body (an HTML page, plain text), sanitised and truncated.
 */
export function describeUpstreamAnswer(response: UpstreamResponse): string | undefined {
  const { name, message } = readUpstreamError(response.text);
  const said = [sanitizeUpstreamText(name), sanitizeUpstreamText(message)].filter(Boolean).join(': ');
  return said || sanitizeUpstreamText(response.text, 200);
}

/**
 * The upstream's own error name and message, raw, for the broker's classification only (e.g.
 * "is this 400 an unknown user?"); never put it in an exception detail.
 */
export function upstreamErrorText(response: UpstreamResponse): string {
  const { name, message } = readUpstreamError(response.text);
  return [name, message].filter(Boolean).join(': ');
}

export function rateLimited(response: UpstreamResponse, vendor: string): ProviderException {
  const retryAfter = header(response, 'retry-after');
  const valid =
    retryAfter !== undefined && /^(\d{1,6}|[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} [\d:]{8} GMT)$/.test(retryAfter);
  return new ProviderException(
    429,
    ProviderExceptionCode.UPSTREAM_RATE_LIMITED,
    `${vendor} is throttling requests; try again later.`,
    valid ? { headers: { 'Retry-After': retryAfter } } : undefined,
  );
}

export function serverFailure(response: UpstreamResponse, vendor: string): ProviderException {
  return upstreamError(`${vendor} answered HTTP ${response.status}; its message is in the broker log.`);
}

export function unexpectedAnswer(response: UpstreamResponse, vendor: string): ProviderException {
  return new ProviderException(
    502,
    ProviderExceptionCode.UPSTREAM_BAD_REQUEST,
    `${vendor} refused the request with HTTP ${response.status}; its message is in the broker log.`,
  );
}

export function garbage(vendor: string): ProviderException {
  return upstreamError(`${vendor} answered with a body the broker cannot read.`);
}

function header(response: UpstreamResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
