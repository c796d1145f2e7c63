import type { AppendedEvent } from './audit.store';
import { AppendBatcher, MAX_APPEND_BATCH, type PendingAppend } from './append-batcher';

/** An executor whose statements the test finishes by hand, recording what each carried. */
function manualExecutor() {
  const statements: { ids: string[]; finish: (error?: Error & { code?: string }) => void }[] = [];
  const execute = (batch: readonly PendingAppend[]) =>
    new Promise<AppendedEvent[]>((resolve, reject) => {
      const ids = batch.map((append) => String(append.params[0]));
      statements.push({
        ids,
        finish: (error) =>
          error
            ? reject(error)
            : resolve(ids.map((id, seq) => ({ id, seq: String(seq), occurred_at: new Date(0), hash: id }))),
      });
    });
  return { statements, execute };
}

const sqlState = (error: unknown) => (error as { code?: string }).code;
const event = (id: string, shape = 'link', batchable = true): PendingAppend => ({
  shape,
  batchable,
  params: [id],
  companions: [],
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AppendBatcher', () => {
  it('sends an idle chain’s event at once, alone', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    const appended = batcher.append('t1', event('a'));
    expect(statements.map((s) => s.ids)).toEqual([['a']]);
    statements[0].finish();
    await expect(appended).resolves.toMatchObject({ id: 'a' });
  });

  it('groups what arrives while a statement is in flight into the next one, in arrival order', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    const results = ['a', 'b', 'c', 'd'].map((id) => batcher.append('t1', event(id)));
    expect(statements.map((s) => s.ids)).toEqual([['a']]);
    statements[0].finish();
    await settle();
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    statements[1].finish();
    expect((await Promise.all(results)).map((row) => row.id)).toEqual(['a', 'b', 'c', 'd']);
    // The chain is idle again: the next event goes at once.
    void batcher.append('t1', event('e'));
    expect(statements.map((s) => s.ids).at(-1)).toEqual(['e']);
  });

  it('keeps one statement in flight per chain, and chains apart from each other', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    void batcher.append('t1', event('a'));
    void batcher.append('t2', event('x'));
    void batcher.append('t1', event('b'));
    expect(statements.map((s) => s.ids)).toEqual([['a'], ['x']]);
  });

  it('caps a statement at MAX_APPEND_BATCH events and splits where the shape changes', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    void batcher.append('t1', event('first'));
    const many = Array.from({ length: MAX_APPEND_BATCH + 2 }, (_, i) => `l${i}`);
    for (const id of many) void batcher.append('t1', event(id));
    void batcher.append('t1', event('refusal', 'none'));
    void batcher.append('t1', event('odd', 'array', false));
    void batcher.append('t1', event('odd2', 'array', false));
    for (let i = 0; i < 5; i++) {
      statements.at(-1)!.finish();
      await settle();
    }
    expect(statements.map((s) => s.ids)).toEqual([
      ['first'],
      many.slice(0, MAX_APPEND_BATCH),
      many.slice(MAX_APPEND_BATCH),
      ['refusal'],
      ['odd'],
      ['odd2'],
    ]);
  });

  it('retries a batch refused for a row’s data event by event, so only that event fails', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    void batcher.append('t1', event('first'));
    const results = ['a', 'bad', 'c'].map((id) =>
      batcher.append('t1', event(id)).then(
        (row) => row.id,
        (error: Error) => `failed: ${error.message}`,
      ),
    );
    statements[0].finish();
    await settle();
    statements[1].finish(Object.assign(new Error('unique violation'), { code: '23505' }));
    for (const id of ['a', 'bad', 'c']) {
      await settle();
      const last = statements.at(-1)!;
      expect(last.ids).toEqual([id]);
      last.finish(id === 'bad' ? Object.assign(new Error('unique violation'), { code: '23505' }) : undefined);
    }
    expect(await Promise.all(results)).toEqual(['a', 'failed: unique violation', 'c']);
  });

  it('fails every event of a batch on any other error, then carries on with the queue', async () => {
    const { statements, execute } = manualExecutor();
    const batcher = new AppendBatcher<AppendedEvent>(execute, sqlState);
    void batcher.append('t1', event('first'));
    const failed = ['a', 'b'].map((id) => batcher.append('t1', event(id)).catch((error: Error) => error.message));
    statements[0].finish();
    await settle();
    const later = batcher.append('t1', event('later'));
    statements[1].finish(Object.assign(new Error('connection terminated'), { code: undefined }));
    expect(await Promise.all(failed)).toEqual(['connection terminated', 'connection terminated']);
    await settle();
    expect(statements.map((s) => s.ids)).toEqual([['first'], ['a', 'b'], ['later']]);
    statements[2].finish();
    await expect(later).resolves.toMatchObject({ id: 'later' });
  });

  it('fails the batch when the statement answers a row count that does not match', async () => {
    const batcher = new AppendBatcher<AppendedEvent>(() => Promise.resolve([]), sqlState);
    await expect(batcher.append('t1', event('a'))).rejects.toThrow('answered 0 rows for 1 events');
  });
});
