import type { ServerResponse } from 'node:http';
import { sendJson } from '@app/simulator-kit';

const DOMAIN = 'PlatformAccountServer';

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request.',
  401: 'Access token is missing, invalid or expired.',
  403: 'Access denied.',
  404: 'Not found.',
  405: 'Method not allowed.',
  413: 'Request entity too large.',
  415: 'Unsupported media type.',
  429: 'Too many requests.',
  500: 'Internal server error.',
  502: 'Bad gateway.',
  503: 'Service unavailable.',
  504: 'Gateway timeout.',
};

export interface ErrorSchemeOptions {
  /** A platform code (1000+) when one applies, else the HTTP status (docs/providers/acronis.md#error-shapes). */
  code?: number;
  info?: string;
  context?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The common `errorScheme` envelope of every endpoint except /idp/token (docs/providers/acronis.md#error-shapes). */
export function sendErrorScheme(
  res: ServerResponse,
  status: number,
  message = DEFAULT_MESSAGES[status] ?? 'Error.',
  options: ErrorSchemeOptions = {},
): void {
  const error = {
    code: options.code ?? status,
    message,
    domain: DOMAIN,
    details: { info: options.info ?? message },
    context: options.context ?? {},
  };
  sendJson(res, status, { error }, options.headers);
}

/** The OAuth `tokenError` shape used only by /idp/token (docs/providers/acronis.md#token-errors). */
export function sendTokenError(res: ServerResponse, status: 400 | 401 | 403, error: string, description: string): void {
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Basic realm="idp"' } : {};
  sendJson(res, status, { error, error_description: description }, { 'Cache-Control': 'no-store', ...headers });
}

export const acronisResponder = {
  error(res: ServerResponse, status: number, headers?: Record<string, string>): void {
    sendErrorScheme(res, status, undefined, { headers });
  },
};
