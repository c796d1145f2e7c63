import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it.each([
    ['/l/9f8e7d6c5b4a', '/l/[Redacted]'],
    ['/l/9f8e7d6c5b4a?utm=1', '/l/[Redacted]'],
    ['/l/', '/l/[Redacted]'],
  ])('hides the launch token in %s', (url, expected) => {
    expect(loggableUrl(url)).toBe(expected);
  });

  it.each(['/v1/tenants/5d1c?limit=10', '/health/live', '/left/side', '/v1/l/x'])('keeps %s as is', (url) => {
    expect(loggableUrl(url)).toBe(url);
  });
});
