import { bindingAad, SecretBinding } from './secret-binding';

/** The layout as docs/vault.md#associated-data states it, built the plain way: length, bytes, for each field. */
function reference(fields: string[]): Buffer {
  return Buffer.concat(
    fields.flatMap((field) => {
      const bytes = Buffer.from(field, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

describe('bindingAad', () => {
  const binding: SecretBinding = {
    tenantId: '11111111-1111-4111-8111-111111111111',
    connectionId: '22222222-2222-4222-8222-222222222222',
    secretVersion: 7,
    origin: 'https://bücher.example:443',
  };

  it('encodes layout 2 as length-prefixed tag, purpose, tenant, connection, version and origin', () => {
    const aad = bindingAad(binding, 'secret', 2);
    expect(
      aad.equals(reference(['sso-broker/v2', 'secret', binding.tenantId, binding.connectionId, '7', binding.origin])),
    ).toBe(true);
    // The multi-byte origin is counted in bytes, not characters.
    expect(aad.readUInt32BE(aad.length - Buffer.byteLength(binding.origin) - 4)).toBe(
      Buffer.byteLength(binding.origin),
    );
  });

  it('encodes layout 1 without the origin, and tells purposes apart', () => {
    expect(
      bindingAad(binding, 'data-key', 1).equals(
        reference(['sso-broker/v1', 'data-key', binding.tenantId, binding.connectionId, '7']),
      ),
    ).toBe(true);
    expect(bindingAad(binding, 'data-key', 2).equals(bindingAad(binding, 'secret', 2))).toBe(false);
  });

  it('refuses an empty origin, a bad version and an unknown layout', () => {
    expect(() => bindingAad({ ...binding, origin: '' }, 'secret', 2)).toThrow(TypeError);
    expect(() => bindingAad({ ...binding, secretVersion: -1 }, 'secret', 2)).toThrow(TypeError);
    expect(() => bindingAad(binding, 'secret', 3 as never)).toThrow(TypeError);
  });
});
