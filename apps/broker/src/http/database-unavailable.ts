import { pgErrorCode } from '@app/database';

/** SQLSTATE classes/codes meaning "the server is not there right now" rather than "the query is wrong". */
const UNAVAILABLE_SQLSTATES = ['57P01', '57P02', '57P03', '53300'];
const UNAVAILABLE_SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'];
/** node-postgres and pg-pool report a lost or unobtainable connection with these messages and no code. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|terminating connection/i;

/**
 * True when an unhandled error is PostgreSQL being unreachable (restart, failover, pool
 * exhaustion): the answer is then 503 with Retry-After, which clients retry, not a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (
    code !== undefined &&
    (code.startsWith('08') || UNAVAILABLE_SQLSTATES.includes(code) || UNAVAILABLE_SOCKET_CODES.includes(code))
  )
    return true;
  const message = (error as { message?: unknown; driverError?: { message?: unknown } } | null)?.message;
  const driverMessage = (error as { driverError?: { message?: unknown } } | null)?.driverError?.message;
  return [message, driverMessage].some((m) => typeof m === 'string' && UNAVAILABLE_MESSAGES.test(m));
}
