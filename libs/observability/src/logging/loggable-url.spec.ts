import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it.each([
    ['/l/9f8e7d6c5b4a', '/l/[Redacted]'],
    ['/l/9f8e7d6c5b4a?utm=1', '/l/[Redacted]'],
    ['/l/', '/l/[Redacted]'],
  ])('hides the launch token in %s', (url, expected) => {
    expect(loggableUrl(url)).toBe(expected);
  });

  it.each([
    ['/v1/tenants?access_token=sbk_a_secret', '/v1/tenants?access_token=[Redacted]'],
    ['/v1/tenants?limit=5&KEY=abc&x=1', '/v1/tenants?limit=5&KEY=[Redacted]&x=1'],
    [
      '/v1/tenants?token=a&api_key=b&api%5Fkey=c',
      '/v1/tenants?token=[Redacted]&api_key=[Redacted]&api%5Fkey=[Redacted]',
    ],
    ['/v1/tenants?client_secret=s&%zz=1', '/v1/tenants?client_secret=[Redacted]&%zz=1'],
  ])('hides secret-named query values in %s', (url, expected) => {
    expect(loggableUrl(url)).toBe(expected);
  });

  it.each(['/v1/tenants/5d1c?limit=10', '/health/live', '/left/side', '/v1/l/x', '/v1/audit-events?login=key'])(
    'keeps %s as is',
    (url) => {
      expect(loggableUrl(url)).toBe(url);
    },
  );
});
