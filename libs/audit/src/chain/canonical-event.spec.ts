import { canonicalJson, canonicalSerialisation, eventHash } from './canonical-event';
import { ChainedEvent, GENESIS_HASH } from './chained-event';
import { cleanMetadata, cleanText } from './event-normalise';

function event(overrides: Partial<ChainedEvent> = {}): ChainedEvent {
  return {
    id: '6f1c1b4e-8a53-4d0e-9a55-2d8b4f3e9a10',
    tenant_id: 'c0a80101-0000-4000-8000-000000000001',
    seq: '1',
    occurred_at: new Date('2025-11-23T10:00:00.123Z'),
    action: 'login_link.issued',
    outcome: 'success',
    actor_type: 'api_key',
    actor_id: 'key-1',
    actor_role: 'portal',
    ip: '10.0.0.1',
    user_agent: 'curl/8',
    request_id: 'req-1',
    connection_id: 'conn-1',
    provider: 'acronis',
    subject_login: 'alice',
    subject_user_id: null,
    subject_external_id: null,
    link_id: 'link-1',
    token_fingerprint: '0123456789abcdef',
    error_code: null,
    metadata: { delivery: 'direct', nested: { b: 1, a: [2, { d: 1, c: 2 }] } },
    prev_hash: GENESIS_HASH,
    ...overrides,
  };
}

describe('canonical event serialisation', () => {
  it('is a fixed-order JSON array with ISO milliseconds and sorted metadata keys', () => {
    const text = canonicalSerialisation(event());
    const parsed = JSON.parse(text) as unknown[];
    expect(parsed[0]).toBe('sso-broker.audit.v1');
    expect(parsed[4]).toBe('2025-11-23T10:00:00.123Z');
    expect(parsed[21]).toBe('{"delivery":"direct","nested":{"a":[2,{"c":2,"d":1}],"b":1}}');
    expect(parsed[22]).toBe(GENESIS_HASH);
    expect(parsed).toHaveLength(23);
  });

  it('does not depend on metadata key order', () => {
    const a = event({ metadata: { x: 1, y: { p: 1, q: 2 } } });
    const b = event({ metadata: { y: { q: 2, p: 1 }, x: 1 } });
    expect(eventHash(a)).toBe(eventHash(b));
  });

  it('is a hex SHA-256 that changes with every field, including prev_hash', () => {
    const base = eventHash(event());
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const variants: Partial<ChainedEvent>[] = [
      { id: '6f1c1b4e-8a53-4d0e-9a55-2d8b4f3e9a11' },
      { tenant_id: null },
      { seq: '2' },
      { occurred_at: new Date('2025-11-23T10:00:00.124Z') },
      { action: 'login_link.failed' },
      { outcome: 'failure' },
      { actor_type: 'anonymous' },
      { actor_id: 'key-2' },
      { actor_role: 'admin' },
      { ip: '10.0.0.2' },
      { user_agent: 'curl/9' },
      { request_id: 'req-2' },
      { connection_id: 'conn-2' },
      { provider: 'flussonic' },
      { subject_login: 'bob' },
      { subject_user_id: 'alice' },
      { subject_external_id: 'alice' },
      { link_id: 'link-2' },
      { token_fingerprint: '0123456789abcdee' },
      { error_code: 'upstream_timeout' },
      { metadata: { delivery: 'launch' } },
      { prev_hash: 'f'.repeat(64) },
    ];
    const hashes = variants.map((v) => eventHash(event(v)));
    for (const h of hashes) expect(h).not.toBe(base);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('keeps null and empty string apart and cannot be confused by separators in values', () => {
    expect(eventHash(event({ ip: null }))).not.toBe(eventHash(event({ ip: '' })));
    expect(eventHash(event({ ip: 'a","b', user_agent: 'c' }))).not.toBe(
      eventHash(event({ ip: 'a', user_agent: 'b","c' })),
    );
  });

  it('canonicalJson sorts nested keys and keeps arrays in order', () => {
    expect(canonicalJson({ b: [3, 1], a: { z: null, y: 'x' } })).toBe('{"a":{"y":"x","z":null},"b":[3,1]}');
  });
});

describe('event normalisation', () => {
  it('replaces NUL (refused by PostgreSQL) and truncates text', () => {
    expect(cleanText('a\u0000b')).toBe('a\uFFFDb');
    expect(cleanText('abcdef', 3)).toBe('abc');
    expect(cleanText(undefined)).toBeNull();
  });

  it('replaces lone surrogates (no UTF-8 form), including one left by truncating a pair', () => {
    expect(cleanText('a\uD800b\uDFFFc')).toBe('a\uFFFDb\uFFFDc');
    expect(cleanText('ab😀', 3)).toBe('ab\uFFFD');
    expect(cleanText('😀\u2028"\\')).toBe('😀\u2028"\\');
  });

  it('turns metadata into what jsonb gives back', () => {
    const when = new Date('2025-01-01T00:00:00.000Z');
    expect(cleanMetadata({ when, gone: undefined, s: 'x\u0000y', n: 1 })).toEqual({
      when: '2025-01-01T00:00:00.000Z',
      s: 'x\uFFFDy',
      n: 1,
    });
    expect(cleanMetadata(null)).toEqual({});
    expect(cleanMetadata({ 'k\u0000\uD800': ['\uDC00x', { '\u0000': 'ok😀' }] })).toEqual({
      'k\uFFFD\uFFFD': ['\uFFFDx', { '\uFFFD': 'ok😀' }],
    });
  });
});
