import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

const IDENTIFIERS = ['login', 'user_id', 'external_id'] as const;

@ValidatorConstraint({ name: 'exactlyOneIdentifier' })
export class ExactlyOneIdentifier implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const record = value as Record<string, unknown>;
    return IDENTIFIERS.filter((field) => record[field] !== undefined && record[field] !== null).length === 1;
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must have exactly one of ${IDENTIFIERS.join(', ')}`;
  }
}
