import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, MaxLength, ValidateNested, getMetadataStorage, validateSync } from 'class-validator';
import { memoiseValidationMetadata } from './validation-metadata-memo';

const strict = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

function messages(object: object): string[] {
  const flat = (errors: ReturnType<typeof validateSync>): string[] =>
    errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...flat(e.children ?? [])]);
  return flat(validateSync(object, strict)).sort();
}

class Inner {
  @IsString()
  @MaxLength(3)
  name!: string;
}

class Outer {
  @IsInt()
  count!: number;

  @ValidateNested()
  @Type(() => Inner)
  inner!: Inner;
}

function outer(count: unknown, name: unknown, extra: Record<string, unknown> = {}): Outer {
  const inner = Object.assign(new Inner(), { name });
  return Object.assign(new Outer(), { count, inner, ...extra });
}

describe('memoiseValidationMetadata', () => {
  beforeAll(() => {
    memoiseValidationMetadata();
    memoiseValidationMetadata(); // a second application in the same process
  });

  it('validates as class-validator does, repeatedly: every rule, nested ones and unknown fields', () => {
    for (let i = 0; i < 3; i++) {
      expect(messages(outer(1, 'abc'))).toEqual([]);
      expect(messages(outer('x', 'abcd', { extra: 1 }))).toEqual([
        'count must be an integer number',
        'name must be shorter than or equal to 3 characters',
        'property extra should not exist',
      ]);
    }
  });

  it('answers the same metadata for a class until a decorator registers, then sees the new one', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Outer, '', false, false);
    expect(storage.getTargetValidationMetadatas(Outer, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));

    // A class loaded after validation began (its decorators register now) is validated in full,
    // and the classes seen before are worked out afresh.
    class Later extends Inner {
      @IsInt()
      size!: number;
    }
    expect(storage.getTargetValidationMetadatas(Outer, '', false, false)).not.toBe(first);
    expect(messages(Object.assign(new Later(), { name: 'abcd', size: 'big' }))).toEqual([
      'name must be shorter than or equal to 3 characters',
      'size must be an integer number',
    ]);
    expect(messages(outer(1, 'abc'))).toEqual([]);
  });
});
