import { EgressRefusedError } from '../egress/egress-guard';
import { ProviderException, ProviderExceptionCode } from '../providers.exception';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function upstreamError(detail: string, cause?: unknown): ProviderException {
  return new ProviderException(502, ProviderExceptionCode.UPSTREAM_ERROR, detail, { cause });
}

/** The egress policy refused the upstream's scheme or address; nothing was sent. */
export function egressRefused(cause?: unknown): ProviderException {
  return new ProviderException(
    502,
    ProviderExceptionCode.UPSTREAM_ADDRESS_NOT_ALLOWED,
    "The broker's egress policy does not allow calling this upstream address; nothing was sent.",
    { cause },
  );
}

/**
 * Maps an undici/socket failure to a stable code; the raw error stays internal as `cause`.
 * Everything that fails before an answer, other than the total deadline, is one code with one
 * sentence: a refused, reset, timed-out or TLS-failed connect, or a DNS failure, must not tell an
 * admin what listens where (the cause goes to the log).
 */
export function classifyTransportError(error: unknown, deadlinePassed: boolean, timeoutMs: number): ProviderException {
  if (error instanceof EgressRefusedError) return egressRefused(error);
  const code = (error as { code?: string } | null)?.code;
  if (deadlinePassed || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new ProviderException(
      504,
      ProviderExceptionCode.UPSTREAM_TIMEOUT,
      `The upstream did not answer within ${timeoutMs} ms.`,
      { cause: error },
    );
  }
  // Connect timeouts land here too: the connect budget ends before the total deadline
  // (egress-guard.ts), so a host that cannot be connected to is unreachable, not slow.
  return new ProviderException(502, ProviderExceptionCode.UPSTREAM_UNREACHABLE, 'The upstream could not be reached.', {
    cause: error,
  });
}
