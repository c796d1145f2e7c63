import type { ServerResponse } from 'node:http';
import { sendJson } from '@app/simulator-kit';

/**
 * Status names from the Watcher v2 reference; the body shape is INFERRED
 * (docs/providers/flussonic.md#error-statuses).
 */
export type FlussonicErrorName =
  | 'BadRequest'
  | 'ValidationError'
  | 'Forbidden'
  | 'WrongApikey'
  | 'ApikeyExpired'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'PayloadTooLarge'
  | 'TooManyRequests'
  | 'ApplicationError';

const NAME_BY_STATUS: Record<number, FlussonicErrorName> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
};

export function sendFlussonicError(
  res: ServerResponse,
  status: number,
  name: FlussonicErrorName = NAME_BY_STATUS[status] ?? 'ApplicationError',
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { success: false, error: name }, headers);
}

export const flussonicResponder = {
  error(res: ServerResponse, status: number, headers?: Record<string, string>): void {
    sendFlussonicError(res, status, undefined, headers);
  },
};
