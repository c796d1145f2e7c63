import { EventEmitter } from 'node:events';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { namedStatement, queryNamed } from './named-statements';
import type { PreparedQuery } from './prepared-query';

type Answer = { rows: string[] } | { error: Error } | { throws: Error } | { breaks: Error };

/** A pooled client as node-postgres hands it out, answering each query as told. */
class FakeClient extends EventEmitter {
  readonly released: (Error | undefined)[] = [];
  constructor(private readonly answer: Answer) {
    super();
  }

  getTypeParser() {
    return (value: string) => value;
  }

  query(query: PreparedQuery): void {
    const answer = this.answer;
    if ('throws' in answer) throw answer.throws;
    const callback = (query as unknown as { callback: (error?: Error) => void }).callback;
    setImmediate(() => {
      if ('breaks' in answer) {
        this.emit('error', answer.breaks);
        return callback(answer.breaks);
      }
      if ('error' in answer) return callback(answer.error);
      query.handleRowDescription({ fields: [{ name: 'x', dataTypeID: 25, format: 'text' }] as never });
      for (const row of answer.rows) query.handleDataRow({ fields: [row] });
      callback();
    });
  }

  release(error?: Error): void {
    this.released.push(error);
  }
}

function poolOf(client: FakeClient | Error): DataSource {
  const master = {
    connect: (callback: (error: Error | undefined, client?: FakeClient) => void) =>
      setImmediate(() => (client instanceof Error ? callback(client) : callback(undefined, client))),
  };
  return { driver: { master } } as unknown as DataSource;
}

const STATEMENT = namedStatement('spec', 'SELECT $1::text AS x');

describe('queryNamed', () => {
  it('runs on a pooled connection, answers the rows and hands the connection back', async () => {
    const client = new FakeClient({ rows: ['a', 'b'] });
    await expect(queryNamed(poolOf(client), STATEMENT, ['v'])).resolves.toEqual([{ x: 'a' }, { x: 'b' }]);
    expect(client.released).toEqual([undefined]);
    expect(client.listenerCount('error')).toBe(0);
  });

  it("answers a statement's error as QueryFailedError, and the connection goes back to be reused", async () => {
    const client = new FakeClient({ error: new Error('duplicate key') });
    const failure = await queryNamed(poolOf(client), STATEMENT, ['v']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).driverError.message).toBe('duplicate key');
    expect(client.released).toEqual([undefined]);
  });

  it('hands a connection that failed during the statement back to be discarded', async () => {
    const lost = new Error('terminating connection');
    const client = new FakeClient({ breaks: lost });
    await expect(queryNamed(poolOf(client), STATEMENT, [])).rejects.toBeInstanceOf(QueryFailedError);
    expect(client.released).toEqual([lost]);
  });

  it('fails the statement, and releases the connection, should the driver throw instead of calling back', async () => {
    const client = new FakeClient({ throws: new Error('not queryable') });
    await expect(queryNamed(poolOf(client), STATEMENT, [])).rejects.toBeInstanceOf(QueryFailedError);
    expect(client.released).toEqual([undefined]);
    expect(client.listenerCount('error')).toBe(0);
  });

  it('answers a failed checkout as QueryFailedError', async () => {
    await expect(queryNamed(poolOf(new Error('timeout exceeded')), STATEMENT, [])).rejects.toBeInstanceOf(
      QueryFailedError,
    );
  });

  it("runs inside a transaction on the transaction's own connection, which it does not release", async () => {
    const client = new FakeClient({ rows: ['t'] });
    const tx = { queryRunner: { connect: () => Promise.resolve(client) } } as unknown as EntityManager;
    await expect(queryNamed(tx, STATEMENT, [])).resolves.toEqual([{ x: 't' }]);
    expect(client.released).toEqual([]);
  });
});
