import { type BodyFastPath, isPlainJsonObject, isStringWithin } from '@app/common';
import { LAUNCH_EXPIRY_BOUNDS } from '@app/connections';
import { CreateLoginLinkDto, LINK_DELIVERIES } from './create-login-link.dto';
import { LoginLinkUserDto } from './login-link-user.dto';

/**
 * POST /v1/login-links without class-transformer and class-validator for the bodies portals send
 * (~0.1 ms and ~25 KB of garbage a link: docs/performance.md#validation-fast-path). It accepts a
 * body only when every rule of CreateLoginLinkDto and LoginLinkUserDto certainly holds and the
 * pipe would build the same instance; anything else (an unknown or null field, a string whose
 * counted length is in doubt, a UUID of a rare form, …) goes through the pipe, which answers it.
 * The spec holds it to that against the pipe itself.
 */
export const createLoginLinkFastPath: BodyFastPath<CreateLoginLinkDto> = {
  dto: CreateLoginLinkDto,
  accept(body: unknown): CreateLoginLinkDto | undefined {
    if (!isPlainJsonObject(body)) return undefined;
    let user: LoginLinkUserDto | undefined;
    for (const key in body) {
      const value = body[key];
      switch (key) {
        case 'connection':
          if (!isNonEmptyStringUpTo(value, 200)) return undefined;
          break;
        case 'tenant_id':
          if (typeof value !== 'string' || !CANONICAL_UUID.test(value)) return undefined;
          break;
        case 'user':
          if ((user = acceptUser(value)) === undefined) return undefined;
          break;
        case 'target_uri':
          if (!isStringWithin(value, 0, 2048)) return undefined;
          break;
        case 'delivery':
          if (!LINK_DELIVERIES.includes(value as never)) return undefined;
          break;
        case 'session_lifetime':
          if (!Number.isInteger(value)) return undefined;
          break;
        case 'expires_in':
          if (!isIntegerWithin(value, LAUNCH_EXPIRY_BOUNDS.min, LAUNCH_EXPIRY_BOUNDS.max)) return undefined;
          break;
        case 'reason':
          if (!isStringWithin(value, 1, 500)) return undefined;
          break;
        default:
          return undefined; // unknown (or prototype) key: the pipe refuses or strips it
      }
    }
    if (user === undefined || !('connection' in body)) return undefined;
    return Object.assign(new CreateLoginLinkDto(), body, { user });
  },
};

const USER_FIELDS = new Set(['login', 'user_id', 'external_id']);
const MAX_IDENTIFIER_LENGTH = 320;

/** Exactly one identifier, a non-empty string; no other field. */
function acceptUser(value: unknown): LoginLinkUserDto | undefined {
  if (!isPlainJsonObject(value)) return undefined;
  let identifiers = 0;
  for (const key in value) {
    if (!USER_FIELDS.has(key) || !isNonEmptyStringUpTo(value[key], MAX_IDENTIFIER_LENGTH)) return undefined;
    identifiers++;
  }
  return identifiers === 1 ? Object.assign(new LoginLinkUserDto(), value) : undefined;
}

/** The UUID shape class-validator's @IsUUID() takes most often (versions 1–8, RFC variant); a subset of what it takes. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** @IsString() @IsNotEmpty() @MaxLength(max): not empty is `!== ''`, whatever the string counts as. */
function isNonEmptyStringUpTo(value: unknown, max: number): value is string {
  return isStringWithin(value, 0, max) && value.length > 0;
}

function isIntegerWithin(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}
