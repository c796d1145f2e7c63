import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BodyFastPath, BrokerException, FieldError } from '@app/common';
import { memoiseValidationMetadata } from './validation-metadata-memo';

/**
 * Strict input validation at the edge: unknown fields rejected, every bad field listed. A body
 * whose DTO has a fast path, and that the fast path vouches for, skips class-transformer and
 * class-validator (docs/performance.md#validation-fast-path); every other input, and every
 * refusal, goes through the pipe.
 */
export function createValidationPipe(fastPaths: readonly BodyFastPath[] = []): ValidationPipe {
  memoiseValidationMetadata();
  return new BrokerValidationPipe(fastPaths);
}

class BrokerValidationPipe extends ValidationPipe {
  private readonly fastPaths: ReadonlyMap<unknown, BodyFastPath>;

  constructor(fastPaths: readonly BodyFastPath[]) {
    super({
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

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const accepted = this.fastPaths.get(metadata.metatype)?.accept(value);
      if (accepted !== undefined) return accepted;
    }
    return super.transform(value, metadata);
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
