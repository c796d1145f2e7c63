import { canonicalJson } from './canonical-event';

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

/**
 * `canonicalJson(cleanMetadata(metadata))`, the metadata text an event is stored and hashed with.
 * Nearly every event's metadata is a plain object of strings, numbers, booleans and nulls under
 * ordinary keys (a link's delivery, expiry and reason): that is written in one pass, with no JSON
 * round trip and no sorted copies (docs/performance.md#twelfth-pass).
 * Anything else (nested values, dates, keys that need cleaning) takes the general path.
 */
export function canonicalMetadataJson(metadata: Record<string, unknown> | null | undefined): string {
  if (!metadata) return '{}';
  return flatCanonicalJson(metadata) ?? canonicalJson(cleanMetadata(metadata));
}

const DIGIT = /^[0-9]/;

/**
 * Object.keys in Array#sort's default order (UTF-16 code units). A metadata object has a handful
 * of keys, sorted here by insertion: Array#sort allocated ~0.8 KB of work space per call, on
 * every link (docs/performance.md#twelfth-pass).
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

function flatCanonicalJson(metadata: Record<string, unknown>): string | undefined {
  if (Object.getPrototypeOf(metadata) !== Object.prototype) return undefined;
  // The order canonicalJson gives the cleaned copy.
  const keys = sortedKeys(metadata);
  let json = '{';
  for (const key of keys) {
    // Left to the general path: a key the cleaning would change; `__proto__`, which it cannot set
    // as a key; and a key starting with a digit, since an integer-like key is written before all
    // the others by its object (that is, by the hashed format).
    if (key === '__proto__' || NUL_OR_SURROGATE.test(key) || DIGIT.test(key)) return undefined;
    const value = metadata[key];
    let text: string;
    if (typeof value === 'string') text = JSON.stringify(storable(value));
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = JSON.stringify(value);
    else if (value === undefined) continue;
    else return undefined;
    json += `${json.length === 1 ? '' : ','}${JSON.stringify(key)}:${text}`;
  }
  return `${json}}`;
}
