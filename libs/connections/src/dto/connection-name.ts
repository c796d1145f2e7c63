import { isUuid } from '@app/common';
import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, ValidateBy } from 'class-validator';

export const CONNECTION_NAME_MAX = 100;
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/;

/**
 * Portals name a connection by name or id in login-link requests, so a name shaped like a UUID
 * is refused: a reference must never be ambiguous.
 */
export function IsConnectionName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(CONNECTION_NAME_MAX),
    Matches(NAME_PATTERN, {
      message: 'name must start with a letter or digit and contain only letters, digits, spaces, ".", "_" and "-"',
    }),
    ValidateBy({
      name: 'isNotUuid',
      validator: { validate: (value) => !isUuid(value), defaultMessage: () => 'name must not be a UUID' },
    }),
  );
}
