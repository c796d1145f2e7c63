import {
  DatabaseUnreachableError,
  describeConnectionError,
  describeDatabaseTarget,
  isTransientConnectionError,
  withConnectRetry,
} from './connect-retry';

const errno = (code: string, message = `connect ${code} 127.0.0.1:5432`) => Object.assign(new Error(message), { code });
const sqlstate = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => now,
    sleep: (ms: number) => {
      pauses.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => (now += ms),
  };
}

describe('isTransientConnectionError', () => {
  it.each([
    ['refused', errno('ECONNREFUSED')],
    ['reset', errno('ECONNRESET')],
    ['DNS not ready', errno('EAI_AGAIN', 'getaddrinfo EAI_AGAIN postgres')],
    ['unknown host (yet)', errno('ENOTFOUND', 'getaddrinfo ENOTFOUND postgres')],
    ['starting up', sqlstate('57P03', 'the database system is starting up')],
    ['init server shutting down', sqlstate('57P01', 'terminating connection due to administrator command')],
    ['too many connections', sqlstate('53300', 'sorry, too many clients already')],
    ['pg connect timeout', new Error('timeout expired')],
    ['dropped', new Error('Connection terminated unexpectedly')],
    ['all addresses refused', new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')], '')],
    ['wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: errno('ECONNRESET') })],
    ['as a cause', new Error('migration failed', { cause: errno('ECONNREFUSED') })],
  ])('%s: transient', (_name, error) => expect(isTransientConnectionError(error)).toBe(true));

  it.each([
    ['wrong password', sqlstate('28P01', 'password authentication failed for user "app"')],
    ['no such role', sqlstate('28000', 'role "app" does not exist')],
    ['no such database', sqlstate('3D000', 'database "x" does not exist')],
    ['a failing migration', sqlstate('42P07', 'relation "tenants" already exists')],
    ['a programming error', new TypeError('x is not a function')],
    ['permission on a socket', errno('EACCES')],
    ['nothing', undefined],
  ])('%s: not transient', (_name, error) => expect(isTransientConnectionError(error)).toBe(false));
});

describe('describeDatabaseTarget', () => {
  it('keeps login, host, port and database, never the password', () => {
    expect(describeDatabaseTarget('postgres://app:s%40cr%2Fet@db.internal:5433/sso?sslmode=require')).toBe(
      'app@db.internal:5433/sso',
    );
  });

  it('says nothing of a URL it cannot parse (it may hold a password)', () => {
    expect(describeDatabaseTarget('postgres://app:pa/ss@db:5432/x')).toBe('the configured database (unparsable URL)');
  });
});

describe('describeConnectionError', () => {
  it('names the code and message, and every address of an AggregateError', () => {
    expect(describeConnectionError(errno('ECONNREFUSED'))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(describeConnectionError(sqlstate('57P03', 'the database system is starting up'))).toBe(
      '57P03 the database system is starting up',
    );
    expect(
      describeConnectionError(new AggregateError([errno('ECONNREFUSED', 'a'), errno('ECONNREFUSED', 'b')], '')),
    ).toBe('ECONNREFUSED a; ECONNREFUSED b');
  });
});

describe('withConnectRetry', () => {
  it('retries transient failures with doubling pauses (capped) until the attempt succeeds', async () => {
    const time = fakeTime();
    const messages: string[] = [];
    let calls = 0;
    const result = await withConnectRetry(
      () => {
        calls++;
        return calls < 6 ? Promise.reject(errno('ECONNREFUSED')) : Promise.resolve('connected');
      },
      { budgetMs: 30_000, target: 'app@postgres:5432/sso', onRetry: (m) => messages.push(m), ...time },
    );
    expect(result).toBe('connected');
    expect(time.pauses).toEqual([500, 1000, 2000, 4000, 5000]);
    expect(messages).toHaveLength(5);
    expect(messages[0]).toBe(
      'PostgreSQL at app@postgres:5432/sso is not reachable yet (connect ECONNREFUSED 127.0.0.1:5432); attempt 2 in 500 ms, giving up 30 s from now',
    );
  });

  it('gives up when the budget is spent, after a last attempt at its end, with a clear error', async () => {
    const time = fakeTime();
    let calls = 0;
    const attempt = () => {
      calls++;
      return Promise.reject(sqlstate('57P03', 'the database system is starting up'));
    };
    const failure = await withConnectRetry(attempt, {
      budgetMs: 3000,
      target: 'app@postgres:5432/sso',
      onRetry: () => undefined,
      ...time,
    }).catch((error: unknown) => error);
    expect(time.pauses).toEqual([500, 1000, 1500]); // the last pause shortened to end on the budget
    expect(calls).toBe(4);
    expect(failure).toBeInstanceOf(DatabaseUnreachableError);
    expect((failure as Error).message).toBe(
      'PostgreSQL at app@postgres:5432/sso did not accept connections within 3 s (4 attempts; DATABASE_CONNECT_RETRY_SECONDS); last error: 57P03 the database system is starting up',
    );
  });

  it('does not retry what waiting cannot cure', async () => {
    const time = fakeTime();
    const wrongPassword = sqlstate('28P01', 'password authentication failed for user "app"');
    await expect(
      withConnectRetry(() => Promise.reject(wrongPassword), {
        budgetMs: 30_000,
        target: 't',
        onRetry: () => undefined,
        ...time,
      }),
    ).rejects.toBe(wrongPassword);
    expect(time.pauses).toEqual([]);
  });

  it('makes one attempt only with a budget of 0', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(
      withConnectRetry(
        () => {
          calls++;
          return Promise.reject(errno('ECONNREFUSED'));
        },
        { budgetMs: 0, target: 't', onRetry: () => undefined, ...time },
      ),
    ).rejects.toThrow('within 0 s (1 attempt;');
    expect(calls).toBe(1);
  });

  it('counts the time the attempts themselves take against the budget', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(
      withConnectRetry(
        () => {
          calls++;
          time.advance(5000); // e.g. a connect timeout
          return Promise.reject(new Error('timeout expired'));
        },
        { budgetMs: 12_000, target: 't', onRetry: () => undefined, ...time },
      ),
    ).rejects.toBeInstanceOf(DatabaseUnreachableError);
    expect(time.pauses).toEqual([500, 1000]);
    expect(calls).toBe(3);
  });
});
