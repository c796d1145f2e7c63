import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

const ANSWERS: Record<string, [status: number, reason: string, code: string, detail: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'Request Timeout',
    'request_timeout',
    'The request was not received in time (HTTP_REQUEST_TIMEOUT_MS / HTTP_HEADERS_TIMEOUT_MS).',
  ],
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'headers_too_large',
    'The request headers are too large.',
  ],
};
const MALFORMED: [number, string, string, string] = [
  400,
  'Bad Request',
  'bad_request',
  'The request is not valid HTTP.',
];

/**
 * Errors Node's HTTP parser raises before there is a request (a slow client, a malformed request
 * line, oversized headers): answered as problem+json like every other error, with a request id of
 * its own, then the connection is closed. Replaces Fastify's plain-JSON default.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const [status, reason, code, detail] = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const requestId = randomUUID();
    const body = JSON.stringify(problem(status, code, detail, requestId));
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
