export interface RetryOptions {
  /** Retries after the first attempt, on 429 and 503 only (default 3; 0 switches retrying off). */
  retries?: number;
  /** Wait when the answer names no Retry-After, doubled on each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Longest wait the client accepts; a Retry-After beyond it is returned to the caller (default 30 s). */
  maxDelayMs?: number;
}

const RETRYABLE = new Set([429, 503]);

/**
 * Milliseconds a Retry-After header asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date),
 * or undefined when there is none or it cannot be read.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A fetch that retries 429 and 503 answers a bounded number of times, waiting what Retry-After
 * asks (or an exponential backoff without one). Both answers mean the broker did not act on the
 * request (a spent budget, a database or drain refusal: docs/api.md#errors), so resending is safe;
 * link issuance also carries one Idempotency-Key over every attempt.
 */
export function retryingFetch(
  inner: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 3;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      // A Request's body can be read once: each attempt sends a copy.
      const response = await inner(attempt < retries ? request.clone() : request);
      if (!RETRYABLE.has(response.status) || attempt >= retries) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? base * 2 ** attempt;
      if (wait > max) return response;
      // Drain the refused answer so its connection goes back to the pool.
      await response.body?.cancel().catch(() => undefined);
      await sleep(wait);
    }
  };
}
