import { secretOrigin } from './secret-origin';

describe('secretOrigin', () => {
  it.each([
    ['https://eu2-cloud.acronis.com', 'https://eu2-cloud.acronis.com:443'],
    ['https://EU2-Cloud.Acronis.COM/some/path', 'https://eu2-cloud.acronis.com:443'],
    ['https://eu2-cloud.acronis.com:443/', 'https://eu2-cloud.acronis.com:443'],
    ['http://watcher.example', 'http://watcher.example:80'],
    ['http://watcher.example:8080/vsaas', 'http://watcher.example:8080'],
    ['https://bücher.example', 'https://xn--bcher-kva.example:443'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://[0:0:0:0:0:0:0:1]', 'https://[::1]:443'],
    ['http://0x7f.1', 'http://127.0.0.1:80'],
  ])('%s → %s', (baseUrl, origin) => {
    expect(secretOrigin(baseUrl)).toBe(origin);
  });

  it('refuses anything but http(s)', () => {
    expect(() => secretOrigin('ftp://example.com')).toThrow(TypeError);
  });
});
