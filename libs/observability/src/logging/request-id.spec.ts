import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptableRequestId, assignRequestId } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function exchange(header?: string | string[]) {
  const req = { headers: header === undefined ? {} : { 'x-request-id': header } } as unknown as IncomingMessage;
  const headers: Record<string, unknown> = {};
  const res = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = value),
  } as unknown as ServerResponse;
  const sut = assignRequestId(req, res);
  return { id: sut, header: headers['x-request-id'] };
}

describe('request ids', () => {
  it.each(['abc', 'req-1.2:3_x', 'A'.repeat(128), '0b7c4a52-58e4-4a3c-9a8e-0f1c9e1b2d3f'])(
    'accepts the sane token %s',
    (value) => {
      expect(acceptableRequestId(value)).toBe(value);
      expect(exchange(value)).toEqual({ id: value, header: value });
    },
  );

  it.each([
    ['too long', 'A'.repeat(129)],
    ['empty', ''],
    ['a space', 'a b'],
    ['a line break', 'abc\n{"level":60}'],
    ['markup', '<script>'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'idé'],
  ])('replaces an id with %s by a fresh UUID', (_, value) => {
    expect(acceptableRequestId(value)).toBeUndefined();
    const { id, header } = exchange(value);
    expect(id).toMatch(UUID);
    expect(header).toBe(id);
  });

  it('replaces a repeated header by a fresh UUID', () => {
    expect(exchange(['a', 'b']).id).toMatch(UUID);
  });

  it('generates a distinct id when none is sent, and answers it', () => {
    const first = exchange();
    const second = exchange();
    expect(first.id).toMatch(UUID);
    expect(first.header).toBe(first.id);
    expect(second.id).not.toBe(first.id);
  });
});
