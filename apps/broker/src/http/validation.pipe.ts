import { ArgumentMetadata, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { BodyFastPath, BrokerException, FieldError } from '@app/common';
import { memoiseValidationMetadata } from './validation-metadata-memo';

/**
 * Strict input validation at the edge: unknown fields rejected, every bad field listed. A body
 * whose DTO has a fast path, and that the fast path vouches for, skips class-transformer and
 * class-validator (docs/performance.md#validation-fast-path); every other input, and every
 * refusal, goes through the pipe.
 */
export function createValidationPipe(fastPaths: readonly BodyFastPath[] = []): PipeTransform {
  memoiseValidationMetadata();
  return new BrokerValidationPipe(fastPaths);
}

/**
 * Wraps Nest's ValidationPipe rather than extending it: its `transform` is async, and this one
 * answers without a promise where it can (below).
 */
class BrokerValidationPipe implements PipeTransform {
  private readonly fastPaths: ReadonlyMap<unknown, BodyFastPath>;
  private readonly validation: ValidationPipe;

  constructor(fastPaths: readonly BodyFastPath[]) {
    this.validation = new ValidationPipe({
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
    this.fastPaths = new Map(fastPaths.map((path) => [path.dto, path]));
  }

  // Not async: a value the fast path accepts, and a custom decorator's value (which the pipe never
  // validates), are handed back without the two promises of an async method and of super's.
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body') {
      const accepted = this.fastPaths.get(metadata.metatype)?.accept(value);
      if (accepted !== undefined) return accepted;
    } else if (metadata.type === 'custom') {
      return value;
    }
    return this.validation.transform(value, metadata);
  }
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
