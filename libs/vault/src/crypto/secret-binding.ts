/** Which row a secret belongs to; authenticated with every blob so blobs cannot be moved. */
export interface SecretBinding {
  tenantId: string;
  connectionId: string;
  secretVersion: number;
}

export type BlobPurpose = 'data-key' | 'secret';

const FORMAT_TAG = 'sso-broker/v1';

/**
 * Canonical associated data: each field is a 4-byte big-endian length followed by its UTF-8
 * bytes, so no two distinct bindings encode alike (tenant "a" + connection "bc" differs from
 * "ab" + "c"). The purpose keeps a wrapped data key and a secret ciphertext from ever being
 * valid in each other's place.
 */
export function bindingAad(binding: SecretBinding, purpose: BlobPurpose): Buffer {
  if (!Number.isSafeInteger(binding.secretVersion) || binding.secretVersion < 0) {
    throw new TypeError('secretVersion must be a non-negative safe integer');
  }
  const fields = [FORMAT_TAG, purpose, binding.tenantId, binding.connectionId, String(binding.secretVersion)];
  return Buffer.concat(fields.flatMap(lengthPrefixed));
}

function lengthPrefixed(field: string): Buffer[] {
  const bytes = Buffer.from(field, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
}
