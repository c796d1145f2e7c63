import { pgErrorCode } from './database-errors';

export interface ConnectRetryOptions {
  /** Total time budget for the attempts, in ms; 0 makes one attempt only. */
  budgetMs: number;
  /** Where the attempts go, for the log: `user@host:port/database`, never a password. */
  target: string;
  /** Called before each new attempt with a one-line reason (logged at warn by the broker). */
  onRetry: (message: string) => void;
  /** First pause, doubled after each failure up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Injected by unit tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Network-level failures that a server still starting (or a name not yet in DNS) produces. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * SQLSTATEs a server answers while it starts, stops or is full: 57P01 admin_shutdown (the
 * init-time server of a container stopping), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * ("the database system is starting up"), 53300 too_many_connections.
 */
const TRANSIENT_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300']);

const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;

/** node-postgres reports these without a code. */
const TRANSIENT_MESSAGE = /connection terminated|timeout expired|connection timeout|server closed the connection/i;

/**
 * True when another attempt may succeed without anyone changing anything: the server is not up
 * yet. Wrong credentials, a missing database or a failed migration are not transient: retrying
 * them would only delay the message that says what to fix.
 */
export function isTransientConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = pgErrorCode(current);
    if (code && (TRANSIENT_ERRNO.has(code) || TRANSIENT_SQLSTATE.has(code))) return true;
    if (code && SQLSTATE.test(code)) return false; // any other SQLSTATE: the server answered
    // An AggregateError (several addresses tried) is transient when its parts are.
    const parts = (current as { errors?: unknown }).errors;
    if (Array.isArray(parts) && parts.length > 0) return parts.every((part) => isTransientConnectionError(part));
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The reason of a failed attempt, for the log: the error's code and message, never a URL. */
export function describeConnectionError(error: unknown): string {
  const parts = (error as { errors?: unknown }).errors;
  if (Array.isArray(parts) && parts.length > 0) return parts.map(describeConnectionError).join('; ');
  const code = pgErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message || code || 'unknown error';
}

/** `postgres://user:secret@host:5432/db?x` → `user@host:5432/db`: what a log line may say about a URL. */
export function describeDatabaseTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured database (unparsable URL)';
  }
}

export class DatabaseUnreachableError extends Error {}

/**
 * Runs `attempt` until it succeeds, a non-transient error occurs, or the budget is spent, with
 * exponential backoff between attempts (0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s...). The last pause is
 * shortened so that the budget is respected, and one last attempt is made at its end.
 */
export async function withConnectRetry<T>(attempt: () => Promise<T>, options: ConnectRetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const deadline = now() + options.budgetMs;
  let delay = options.initialDelayMs ?? 500;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransientConnectionError(error)) throw error;
      const remaining = deadline - now();
      const reason = describeConnectionError(error);
      if (remaining <= 0) {
        throw new DatabaseUnreachableError(
          `PostgreSQL at ${options.target} did not accept connections within ${Math.round(options.budgetMs / 1000)} s ` +
            `(${attemptNumber} attempt${attemptNumber === 1 ? '' : 's'}; DATABASE_CONNECT_RETRY_SECONDS); last error: ${reason}`,
          { cause: error },
        );
      }
      const pause = Math.min(delay, remaining);
      options.onRetry(
        `PostgreSQL at ${options.target} is not reachable yet (${reason}); attempt ${attemptNumber + 1} in ${pause} ms, ` +
          `giving up ${Math.ceil(remaining / 1000)} s from now`,
      );
      await sleep(pause);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
