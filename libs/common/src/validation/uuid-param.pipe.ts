import { Injectable, PipeTransform, ArgumentMetadata } from '@nestjs/common';
import { BrokerException } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Rejects a malformed id in a path with 400 before it can reach PostgreSQL as a cast error. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (isUuid(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new BrokerException(400, 'invalid_id', `Path parameter ${field} must be a UUID.`, {
      errors: [{ field, message: `${field} must be a UUID` }],
    });
  }
}
