/**
 * A hot route's shortcut through input validation. `accept` answers the DTO instance that Nest's
 * ValidationPipe (class-transformer, then class-validator with the broker's options) would answer
 * for `body`, or `undefined` whenever it cannot vouch for that: the pipe then runs as usual, and
 * every refusal, with its field-by-field message, still comes from class-validator.
 *
 * So a fast path may only ever say yes to less, never to more: it checks a conservative subset
 * of the DTO's rules (docs/performance.md#validation-fast-path), and its spec runs it against
 * the pipe on generated bodies and pins the DTO's decorators, so a rule added to the DTO fails
 * the spec until the fast path follows.
 */
export interface BodyFastPath<T extends object = object> {
  /** The DTO class (the handler's `@Body()` type) whose bodies this path may accept. */
  readonly dto: abstract new (...args: never[]) => T;
  accept(body: unknown): T | undefined;
}

/** A JSON object as JSON.parse builds it: not null, not an array, Object's own prototype. */
export function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `value` is a string whose counted length is certainly within min..max (else: not certain). */
export function isStringWithin(value: unknown, min: number, max: number): value is string {
  if (typeof value !== 'string' || value.length > max) return false; // the counted length is at most `length`
  return min === 0 || (value.length >= min && !hasUncountedOrPaired(value));
}

/**
 * class-validator's length rules count a surrogate pair as one character and do not count the
 * variation selectors U+FE0E/U+FE0F (validator.js isLength): for a string without them, its
 * `length` is exactly the counted length.
 */
function hasUncountedOrPaired(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if ((unit >= 0xd800 && unit <= 0xdfff) || unit === 0xfe0e || unit === 0xfe0f) return true;
  }
  return false;
}
