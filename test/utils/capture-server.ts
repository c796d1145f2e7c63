import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface CaptureServer {
  url: string;
  port: number;
  /** Every TCP connection accepted, whatever was (or was not) sent on it. */
  connections: number;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 that stands for "somewhere a credential must never go": it counts
 * connections and records each request, answering 404. Tests assert it saw nothing.
 */
export async function startCaptureServer(): Promise<CaptureServer> {
  const sockets = new Set<Socket>();
  const capture: Omit<CaptureServer, 'url' | 'port' | 'close'> = { connections: 0, requests: [] };
  const server = createServer((req, res) => {
    capture.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  });
  server.on('connection', (socket: Socket) => {
    capture.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(capture, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  });
}
