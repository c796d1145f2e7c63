import { parseBaseUrl } from './base-url';

describe('parseBaseUrl', () => {
  it.each([
    ['https://eu2-cloud.acronis.com/', 'https://eu2-cloud.acronis.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://watcher.example.com/prefix/', 'https://watcher.example.com/prefix'],
    ['HTTPS://Example.COM', 'https://example.com'],
  ])('normalizes %s to %s', (raw, expected) => {
    expect(parseBaseUrl(raw)).toBe(expected);
  });

  it.each([
    ['not a url', /absolute/],
    ['ftp://example.com', /absolute/],
    ['/relative/path', /absolute/],
    ['https://user:pass@example.com', /credentials/],
    ['https://user@example.com', /credentials/],
    ['https://example.com/?a=1', /query/],
    ['https://example.com/?', /query/],
    ['https://example.com/#frag', /fragment/],
  ])('rejects %s with a base_url field error', (raw, message) => {
    try {
      parseBaseUrl(raw);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_base_url' });
      const { errors } = error as { errors: { field: string; message: string }[] };
      expect(errors).toEqual([{ field: 'base_url', message: expect.stringMatching(message) }]);
    }
  });
});
