import { ProviderException, ProviderExceptionCode } from './providers.exception';
import { validateSchema } from './validate-schema';

/** validateSchema for provider input: 400 invalid_settings / invalid_credentials with field errors. */
export function parseOrThrow<T extends object>(
  schema: new () => T,
  raw: unknown,
  prefix: 'settings' | 'credentials',
): T {
  const result = validateSchema(schema, raw, prefix);
  if (result.ok) return result.value;
  throw invalidInput(prefix, result.errors);
}

export function invalidInput(
  prefix: 'settings' | 'credentials',
  errors: { field: string; message: string }[],
): ProviderException {
  const code =
    prefix === 'settings' ? ProviderExceptionCode.INVALID_SETTINGS : ProviderExceptionCode.INVALID_CREDENTIALS;
  return new ProviderException(400, code, `The connection ${prefix} are invalid.`, { errors });
}

/** A plain object without class prototypes or undefined members, safe to store as JSON. */
export function plain<T extends object>(instance: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(instance).filter(([, value]) => value !== undefined));
}
