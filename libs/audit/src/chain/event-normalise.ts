const NUL_OR_SURROGATE = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * What PostgreSQL can store and hash identically to Node: text and jsonb refuse NUL, and a lone
 * UTF-16 surrogate has no UTF-8 form (the driver would send U+FFFD while JSON.stringify writes
 * `\udXXX`, and jsonb rejects that escape). Both become U+FFFD, so such a value never makes the
 * audit write (and so the request) fail and the stored row hashes as it was hashed.
 */
function storable(value: string): string {
  // Most values hold neither: one scan for either, and no replacement pass at all (every link
  // cleans about twenty strings).
  if (!NUL_OR_SURROGATE.test(value)) return value;
  return value.replace(/\u0000/g, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** Truncated first: cutting a surrogate pair leaves a lone surrogate, which is then replaced. */
export function cleanText(value: string | null | undefined, maxLength = 2048): string | null {
  if (value === null || value === undefined) return null;
  return storable(value.slice(0, maxLength));
}

/**
 * Metadata as jsonb will give it back: a JSON round trip (dates become ISO strings, undefined
 * disappears) with every string and key made storable, so the hash computed at write time
 * matches the one recomputed from the stored row.
 */
export function cleanMetadata(metadata: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (!metadata) return {};
  const parsed = storableJson(JSON.parse(JSON.stringify(metadata)) as unknown);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storable(key), storableJson(item)]));
  }
  return value;
}
