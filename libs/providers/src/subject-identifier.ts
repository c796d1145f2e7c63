import { LoginSubject } from './login-link-provider.interface';
import { ProviderException, ProviderExceptionCode } from './providers.exception';

export type IdentifierField = keyof LoginSubject;

const FIELDS: IdentifierField[] = ['login', 'user_id', 'external_id'];
const MAX_LENGTH = 320;

/** The subject's only identifier; throws 400 invalid_user_identifier unless exactly one is set. */
export function singleIdentifier(subject: LoginSubject): { field: IdentifierField; value: string } {
  const present = FIELDS.filter((field) => subject[field] !== undefined && subject[field] !== null);
  if (present.length !== 1) {
    throw invalidIdentifier(
      `Give exactly one of user.login, user.user_id or user.external_id (got ${present.length}).`,
    );
  }
  const field = present[0];
  const value = subject[field];
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_LENGTH) {
    throw invalidIdentifier(`user.${field} must be a non-empty string of at most ${MAX_LENGTH} characters.`);
  }
  return { field, value };
}

export function invalidIdentifier(detail: string): ProviderException {
  return new ProviderException(400, ProviderExceptionCode.INVALID_USER_IDENTIFIER, detail);
}
