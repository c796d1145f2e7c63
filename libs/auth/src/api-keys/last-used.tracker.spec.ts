import type { DataSource } from 'typeorm';
import { ApiKeysStore } from './api-keys.store';
import { LastUsedTracker } from './last-used.tracker';

const KEY_A = '11111111-1111-4111-8111-111111111111';
const KEY_B = '22222222-2222-4222-8222-222222222222';

function newTracker() {
  const query = jest.fn().mockResolvedValue([]);
  const sut = new LastUsedTracker(new ApiKeysStore({ query } as unknown as DataSource));
  return { sut, query };
}

describe('LastUsedTracker', () => {
  const now = new Date('2026-11-23T10:00:00.000Z');

  it('writes nothing when nothing was used', async () => {
    const { sut, query } = newTracker();
    await sut.flush();
    expect(query).not.toHaveBeenCalled();
  });

  it('batches every key used since the last flush into one UPDATE with the latest use per key', async () => {
    const { sut, query } = newTracker();
    sut.touch(KEY_A, null, new Date(now.getTime() - 1000));
    sut.touch(KEY_A, null, now);
    sut.touch(KEY_B, new Date(now.getTime() - 120_000), now);
    await sut.flush();
    expect(query).toHaveBeenCalledTimes(1);
    const [sql, params] = query.mock.calls[0];
    expect(sql).toMatch(
      /UPDATE api_keys AS k SET last_used_at = v\.used_at\s+FROM \(VALUES \(\$1::uuid, \$2::timestamptz\), \(\$3::uuid, \$4::timestamptz\)\)/,
    );
    expect(sql).toContain('k.last_used_at < v.used_at - make_interval(secs => $5)');
    expect(params).toEqual([KEY_A, now.toISOString(), KEY_B, now.toISOString(), 60]);
    await sut.flush();
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('does not queue a key whose stored last use is under a minute old', async () => {
    const { sut, query } = newTracker();
    sut.touch(KEY_A, new Date(now.getTime() - 59_000), now);
    await sut.flush();
    expect(query).not.toHaveBeenCalled();
  });

  it('keeps the uses for the next flush when the write fails', async () => {
    const { sut, query } = newTracker();
    query.mockRejectedValueOnce(new Error('connection lost'));
    sut.touch(KEY_A, null, now);
    await sut.flush();
    await sut.flush();
    expect(query).toHaveBeenCalledTimes(2);
    expect(query.mock.calls[1][1]).toEqual([KEY_A, now.toISOString(), 60]);
  });

  it('flushes at shutdown', async () => {
    const { sut, query } = newTracker();
    sut.onModuleInit();
    sut.touch(KEY_A, null, now);
    await sut.beforeApplicationShutdown();
    expect(query).toHaveBeenCalledTimes(1);
  });
});
