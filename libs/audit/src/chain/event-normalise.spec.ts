import { canonicalJson } from './canonical-event';
import { canonicalMetadataJson, cleanMetadata } from './event-normalise';

/** The general path: what canonicalMetadataJson must always equal. */
const general = (metadata: Record<string, unknown> | null | undefined) => canonicalJson(cleanMetadata(metadata));

describe('canonicalMetadataJson', () => {
  const cases: [string, Record<string, unknown> | null | undefined][] = [
    ['absent', undefined],
    ['null', null],
    ['empty', {}],
    ['a link', { delivery: 'direct', expires_at: '2026-12-07T10:00:00.000Z', reason: 'ticket 42' }],
    ['keys out of order', { z: 1, a: 'x', m: true, b: null }],
    ['keys that differ in case, length and past the BMP', { b: 1, B: 2, ab: 3, a: 4, é: 5, '😀': 6, ﬀ: 7, _: 8 }],
    ['more keys than the insertion sort takes', Object.fromEntries([...'qwertyuiopasdfghjklzx'].map((k, i) => [k, i]))],
    ['integer-like keys', { 10: 'a', 2: 'b', x: 'c', '-1': 'd', '01': 'e' }],
    [
      'numbers JSON cannot hold',
      { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negZero: -0, big: 1e21, tiny: 5e-324 },
    ],
    ['undefined values', { a: undefined, b: 'kept' }],
    ['NUL and lone surrogates in values', { a: 'x\u0000y', b: '\uD800', c: 'ok\uDC00', d: '\uD83D\uDE00' }],
    ['quotes, backslashes, controls, non-ASCII', { a: '"\\\n\t\u0001', b: 'é😀', c: '\u2028' }],
    ['keys that need cleaning', { 'k\u0000': 1, '\uD800': 2, plain: 3 }],
    ['nested values', { a: { z: 1, b: [3, { y: 2, x: 1 }] }, list: ['a', null] }],
    ['a date', { at: new Date('2026-12-07T10:00:00.123Z') }],
    ['a value with toJSON', { v: { toJSON: () => 'as json' } }],
    ['an own toJSON', { toJSON: () => ({ replaced: true }), a: 1 }],
    ['a function and a symbol', { f: () => 1, s: Symbol('s'), a: 1 }],
    ['an empty array value', { a: [] }],
    ['__proto__ as an own key', JSON.parse('{"__proto__":"x","a":1}') as Record<string, unknown>],
    ['a null-prototype object', Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 })],
  ];

  it.each(cases)('equals the general path: %s', (_name, metadata) => {
    expect(canonicalMetadataJson(metadata)).toBe(general(metadata));
  });

  it('writes a flat object in sorted key order with cleaned strings', () => {
    expect(canonicalMetadataJson({ reason: 'a\u0000b', delivery: 'launch', n: 2 })).toBe(
      '{"delivery":"launch","n":2,"reason":"a\uFFFDb"}',
    );
  });
});
