export const TENANT_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_SLUG_LENGTH = 63;

/**
 * Derives a URL-safe slug from a display name: diacritics stripped, lowercase ASCII letters and
 * digits, every other run of characters becomes one '-'. Returns null when nothing usable is left
 * (e.g. a name written only in a non-Latin script), so the caller can ask for an explicit slug.
 */
export function slugFromName(name: string): string | null {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
  return TENANT_SLUG_PATTERN.test(slug) ? slug : null;
}
