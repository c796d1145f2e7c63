import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BrokerException, FieldError } from '@app/common';
import { memoiseValidationMetadata } from './validation-metadata-memo';

/** Strict input validation at the edge: unknown fields rejected, every bad field listed. */
export function createValidationPipe(): ValidationPipe {
  memoiseValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BrokerException(400, 'validation_failed', 'The request is invalid; see errors for each field.', {
        errors: flatten(errors),
      }),
  });
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^[\w.]+ /, `${field} `),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
