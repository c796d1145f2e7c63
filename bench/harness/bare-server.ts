import { createServer } from 'node:http';

/**
 * `node dist/bench/harness/bare-server.js` with PORT: the floor of any Node HTTP answer, a bare
 * `node:http` handler answering `{"status":"ok"}` as `GET /health/live` does. The bench drives it
 * and the broker's `/health/live` alternately, so the broker's per-request framework cost is a
 * ratio measured in the same minute on the same machine.
 */
const BODY = '{"status":"ok"}';
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
