import { IsString, MaxLength } from 'class-validator';
import { validateSchema } from './validate-schema';

class SampleDto {
  @IsString()
  @MaxLength(3)
  name: string;
}

describe('validateSchema', () => {
  it('returns the typed instance for valid input', () => {
    const sut = validateSchema(SampleDto, { name: 'abc' }, 'settings');
    expect(sut).toEqual({ ok: true, value: expect.any(SampleDto) });
  });

  it('reports field errors with the prefix and rejects unknown properties', () => {
    const sut = validateSchema(SampleDto, { name: 'abcd', extra: 1 }, 'settings');
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.errors).toEqual(
      expect.arrayContaining([
        { field: 'settings.name', message: expect.stringContaining('shorter than or equal to 3') },
        { field: 'settings.extra', message: 'property extra should not exist' },
      ]),
    );
  });

  it.each([null, 'x', 3, [1]])('reports one error for non-object input %p', (raw) => {
    expect(validateSchema(SampleDto, raw, 'credentials')).toEqual({
      ok: false,
      errors: [{ field: 'credentials', message: 'credentials must be an object' }],
    });
  });
});
