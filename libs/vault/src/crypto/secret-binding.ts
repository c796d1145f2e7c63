/**
 * Which row a secret belongs to, and where it may be sent; authenticated with every blob so
 * blobs cannot be moved to another row, and a credential cannot follow a changed base_url.
 */
export interface SecretBinding {
  tenantId: string;
  connectionId: string;
  secretVersion: number;
  /**
   * The normalised upstream origin the credential was stored for (`secretOrigin(base_url)`, e.g.
   * `https://eu2-cloud.acronis.com:443`). Part of the associated data from AAD version 2 on;
   * layout 1 (legacy rows, docs/vault.md#associated-data) does not carry it.
   */
  origin: string;
}

export type BlobPurpose = 'data-key' | 'secret';

/**
 * The associated-data layouts a stored blob can have; `connection_secrets.aad_version` says which.
 * 1: tenant, connection, version (legacy, opened until upgraded). 2: the same plus the origin.
 */
export type AadVersion = 1 | 2;
export const CURRENT_AAD_VERSION: AadVersion = 2;

const FORMAT_TAGS: Record<AadVersion, string> = { 1: 'sso-broker/v1', 2: 'sso-broker/v2' };

/**
 * Canonical associated data: each field is a 4-byte big-endian length followed by its UTF-8
 * bytes, so no two distinct bindings encode alike (tenant "a" + connection "bc" differs from
 * "ab" + "c"). The purpose keeps a wrapped data key and a secret ciphertext from ever being
 * valid in each other's place. The format tag names the layout, so a blob sealed under one
 * layout never opens under another (a row relabelled from 2 to 1 fails, it is not "downgraded").
 */
export function bindingAad(binding: SecretBinding, purpose: BlobPurpose, aadVersion: AadVersion): Buffer {
  if (!Number.isSafeInteger(binding.secretVersion) || binding.secretVersion < 0) {
    throw new TypeError('secretVersion must be a non-negative safe integer');
  }
  const fields = [
    FORMAT_TAGS[aadVersion],
    purpose,
    binding.tenantId,
    binding.connectionId,
    String(binding.secretVersion),
  ];
  if (aadVersion === 2) {
    if (binding.origin === '') throw new TypeError('origin must not be empty');
    fields.push(binding.origin);
  } else if (aadVersion !== 1) {
    throw new TypeError(`unknown associated-data version ${String(aadVersion)}`);
  }
  return lengthPrefixed(fields);
}

/** The fields' encoding written into one buffer (two per field and a concat cost ~2 KB of garbage per mint). */
function lengthPrefixed(fields: readonly string[]): Buffer {
  let size = 0;
  for (const field of fields) size += 4 + Buffer.byteLength(field, 'utf8');
  const out = Buffer.alloc(size);
  let offset = 0;
  for (const field of fields) {
    const length = out.write(field, offset + 4, 'utf8');
    out.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return out;
}
