import { decodeCursor, encodeCursor, isCursorInstant } from './cursor';

const isKey = (value: Record<string, unknown>): value is { t: string } => isCursorInstant(value.t);

describe('cursors', () => {
  it('round-trips what the API issues', () => {
    const t = new Date('2026-11-23T10:00:00.123Z').toISOString();
    expect(decodeCursor(encodeCursor({ t }), isKey)).toEqual({ t });
  });

  it('accepts only the exact toISOString form of an instant', () => {
    expect(isCursorInstant('2026-11-23T10:00:00.123Z')).toBe(true);
    for (const value of [
      '1',
      'foo 2020',
      '2026-01-01\u0000',
      '2026-11-23T10:00:00Z',
      '2026-11-23',
      ' 2026-11-23T10:00:00.123Z',
      42,
      null,
      undefined,
    ]) {
      expect(isCursorInstant(value)).toBe(false);
    }
  });

  it('refuses text that is not base64url JSON, or JSON of the wrong shape, with 400 invalid_cursor', () => {
    for (const cursor of [
      'not-a-cursor',
      encodeCursor({ t: '1' }),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ]) {
      expect(() => decodeCursor(cursor, isKey)).toThrow(
        expect.objectContaining({ status: 400, code: 'invalid_cursor' }),
      );
    }
  });
});
