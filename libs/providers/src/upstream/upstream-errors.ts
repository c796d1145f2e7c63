import { ProviderException, ProviderExceptionCode } from '../providers.exception';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function upstreamError(detail: string, cause?: unknown): ProviderException {
  return new ProviderException(502, ProviderExceptionCode.UPSTREAM_ERROR, detail, { cause });
}

/** Maps an undici/socket failure to a stable code; the raw error stays internal as `cause`. */
export function classifyTransportError(error: unknown, deadlinePassed: boolean, timeoutMs: number): ProviderException {
  const code = (error as { code?: string } | null)?.code;
  if (deadlinePassed || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new ProviderException(
      504,
      ProviderExceptionCode.UPSTREAM_TIMEOUT,
      `The upstream did not answer within ${timeoutMs} ms.`,
      { cause: error },
    );
  }
  // Connect timeouts land here too: a host that cannot be connected to is unreachable, not slow.
  return new ProviderException(
    502,
    ProviderExceptionCode.UPSTREAM_UNREACHABLE,
    `The upstream could not be reached${code ? ` (${code})` : ''}.`,
    { cause: error },
  );
}
