import { acceptableRequestId, requestIdFor } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function idFor(header?: string | string[]): string {
  return requestIdFor({
    headers: header === undefined ? {} : { 'x-request-id': header },
  });
}

describe('request ids', () => {
  it.each(['abc', 'req-1.2:3_x', 'A'.repeat(128), '0b7c4a52-58e4-4a3c-9a8e-0f1c9e1b2d3f'])(
    'accepts the sane token %s',
    (value) => {
      expect(acceptableRequestId(value)).toBe(value);
      expect(idFor(value)).toBe(value);
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
    expect(idFor(value)).toMatch(UUID);
  });

  it('replaces a repeated header by a fresh UUID', () => {
    expect(idFor(['a', 'b'])).toMatch(UUID);
  });

  it('generates a distinct id when none is sent', () => {
    const first = idFor();
    const second = idFor();
    expect(first).toMatch(UUID);
    expect(second).not.toBe(first);
  });
});
