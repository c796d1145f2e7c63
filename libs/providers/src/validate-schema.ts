import { FieldError } from '@app/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

export type SchemaResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Validates `raw` against a class-validator DTO; errors carry `<prefix>.<path>` field names. */
export function validateSchema<T extends object>(schema: new () => T, raw: unknown, prefix: string): SchemaResult<T> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: prefix, message: `${prefix} must be an object` }] };
  }
  const instance = plainToInstance(schema, raw);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) return { ok: false, errors: flatten(errors, prefix) };
  return { ok: true, value: instance };
}

function flatten(errors: ValidationError[], path: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = `${path}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
