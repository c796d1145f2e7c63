import fc from 'fast-check';
import { slugFromName, TENANT_SLUG_PATTERN } from './tenant-slug';

describe('slugFromName', () => {
  it.each([
    ['Acme Corp', 'acme-corp'],
    ['  Ärger & Söhne GmbH  ', 'arger-sohne-gmbh'],
    ['Crème Brûlée, Inc.', 'creme-brulee-inc'],
    ['--Already-Slugged--', 'already-slugged'],
    ['ÉCOLE 42', 'ecole-42'],
    ['ﬁnance', 'finance'],
  ])('%j → %j', (name, expected) => {
    expect(slugFromName(name)).toBe(expected);
  });

  it('returns null when nothing ASCII survives', () => {
    expect(slugFromName('東京')).toBeNull();
    expect(slugFromName('!!! ---')).toBeNull();
  });

  it('cuts at 63 characters without leaving a trailing dash', () => {
    const slug = slugFromName(`${'a'.repeat(62)} b`);
    expect(slug).toBe('a'.repeat(62));
    expect(slugFromName('x'.repeat(100))).toHaveLength(63);
  });

  it('always yields a valid slug or null, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (name) => {
        const slug = slugFromName(name);
        return slug === null || (TENANT_SLUG_PATTERN.test(slug) && slug.length <= 63);
      }),
    );
  });
});
