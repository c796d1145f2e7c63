import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/**
 * The v2 plain system key. Docs and public code send `X-Vsaas-Api-Key`, the v2 reference spells it
 * `X-Vsaas-Apikey` (docs/providers/flussonic.md#v2-system-key): both are accepted.
 */
export function hasSystemKey(req: IncomingMessage, apiKey: string): boolean {
  const given = req.headers['x-vsaas-api-key'] ?? req.headers['x-vsaas-apikey'];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(apiKey);
  return a.length === b.length && timingSafeEqual(a, b);
}
