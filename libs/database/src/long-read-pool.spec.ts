import { createServer, type Server, type Socket } from 'node:net';
import { LongReadPool, LongReadsBusyError } from './long-read-pool';

/**
 * A server that accepts connections and never answers: a connection attempt to it stays pending,
 * holding its pool slot, until the pool's own timeout ends it.
 */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://nobody@127.0.0.1:${port}/none`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('LongReadPool', () => {
  it('refuses a caller that waited its turn in vain with LongReadsBusyError, and leaves a connection that could not be opened a database error', async () => {
    const server = await silentServer();
    const pool = new LongReadPool({ url: server.url }, 1, 300);
    try {
      const opening = pool.connect().catch((error: unknown) => error);
      const queued = pool.connect().catch((error: unknown) => error);
      const [first, second] = await Promise.all([opening, queued]);
      // The first one held the only slot while the server stayed silent: a database error.
      expect(first).toBeInstanceOf(Error);
      expect(first).not.toBeInstanceOf(LongReadsBusyError);
      // The second never got the slot: the pool was busy.
      expect(second).toBeInstanceOf(LongReadsBusyError);
      expect((second as LongReadsBusyError).waitedMs).toBeGreaterThanOrEqual(250);
    } finally {
      await pool.onApplicationShutdown();
      await server.close();
    }
  });
});
