import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultController, FaultSpec } from './fault-controller';
import { BodyTooLargeError, sendText } from './http-io';
import { SimClock } from './sim-clock';
import { CONTROL_PREFIX, handleControl } from './sim-control';
import { countRequest, RequestCounters } from './sim-counters';
import { SimRouter } from './sim-router';

/** How a simulator words its own errors (each vendor has its own envelope). */
export interface SimResponder {
  error(res: ServerResponse, status: number, headers?: Record<string, string>): void;
}

export interface SimServerOptions {
  host: string;
  port: number;
  router: SimRouter;
  faults: FaultController;
  counters: RequestCounters;
  clock: SimClock;
  responder: SimResponder;
  /** Serve https with this certificate (PEM) instead of http: e.g. a test CA generated at run time. */
  tls?: SimTlsOptions;
}

export interface SimTlsOptions {
  /** PEM certificate chain of the server. */
  cert: string | Buffer;
  /** PEM private key of the server; never committed (tests generate one per run). */
  key: string | Buffer;
}

export interface SimServer {
  url: string;
  port: number;
  /** Stops listening and drops keep-alive connections; safe to call more than once. */
  close(): Promise<void>;
}

const UNMATCHED = '(unmatched)';
const GARBAGE_BODY = '<html><body><h1>Service temporarily unavailable</h1><!-- simulated garbage --></body></html>';

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    dispatch(options, req, res).catch((error: unknown) => failRequest(options, res, error));
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createServer(handler);
  // Benchmarks drive the simulators over long-lived keep-alive connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () => (closing ??= close(server)),
  };
}

async function dispatch(options: SimServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const path = url.pathname;
  if (path.startsWith(CONTROL_PREFIX)) return handleControl(options, req, res, path);

  const method = req.method ?? 'GET';
  const match = options.router.match(method, path);
  countRequest(options.counters, match?.template ?? UNMATCHED);

  const fault = options.faults.take(path);
  if (fault) {
    options.counters.faultsApplied += 1;
    if (await applyFault(options, fault, req, res)) return;
  }
  if (!match) return options.responder.error(res, 404);
  if (!match.handler) return options.responder.error(res, 405, { Allow: match.allowed.join(', ') });
  await match.handler(req, res, url, match.params);
}

/** Returns true when the fault has answered (or killed) the request. */
async function applyFault(
  options: SimServerOptions,
  fault: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (fault.latencyMs) await delay(fault.latencyMs);
  if (fault.reset) {
    req.socket.destroy();
    return true;
  }
  if (fault.garbage) {
    sendText(res, 200, GARBAGE_BODY, 'text/html; charset=utf-8');
    return true;
  }
  if (fault.status !== undefined) {
    const headers: Record<string, string> =
      fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
    options.responder.error(res, fault.status, headers);
    return true;
  }
  return false;
}

function failRequest(options: SimServerOptions, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof BodyTooLargeError) return options.responder.error(res, 413, { Connection: 'close' });
  process.stderr.write(`simulator: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  options.responder.error(res, 500);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
