import { isCrossSite } from './fetch-origin';

describe('cross-site redemption check', () => {
  const self = 'https://sso.example.com';

  it('lets our own page, a person and non-browser clients through', () => {
    expect(isCrossSite({ secFetchSite: 'same-origin', origin: 'null' }, self)).toBe(false);
    expect(isCrossSite({ secFetchSite: 'same-origin', origin: self }, self)).toBe(false);
    expect(isCrossSite({ secFetchSite: 'none' }, self)).toBe(false);
    expect(isCrossSite({}, self)).toBe(false);
    expect(isCrossSite({ origin: 'HTTPS://SSO.EXAMPLE.COM' }, self)).toBe(false);
  });

  it('refuses other sites, sibling hosts and foreign origins', () => {
    expect(isCrossSite({ secFetchSite: 'cross-site', origin: 'null' }, self)).toBe(true);
    expect(isCrossSite({ secFetchSite: 'same-site' }, self)).toBe(true);
    expect(isCrossSite({ origin: 'https://evil.example' }, self)).toBe(true);
    expect(isCrossSite({ secFetchSite: 'same-origin', origin: 'https://sso.example.com:8443' }, self)).toBe(true);
  });
});
