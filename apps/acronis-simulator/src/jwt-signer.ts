import { createHash, generateKeyPair, KeyObject, randomUUID, sign } from 'node:crypto';

interface SigningKey {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  kid: string;
}

let processKey: Promise<SigningKey> | undefined;

/**
 * One RSA key per process: generating it costs ~100 ms, and e2e suites start many simulators.
 * Signing RS256 costs ~1 ms, fine since clients cache access tokens for hours.
 */
function signingKey(): Promise<SigningKey> {
  processKey ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) => {
      if (error) return reject(error);
      const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
      const thumbprint = JSON.stringify({ e: publicJwk.e, kty: publicJwk.kty, n: publicJwk.n });
      const kid = createHash('sha256').update(thumbprint).digest('hex').slice(0, 40);
      resolve({ privateKey, publicJwk, kid });
    });
  });
  return processKey;
}

/** Issues RS256 JWTs with a `kid` header, like the real `/idp/token` (docs/providers/acronis.md#access-token). */
export class JwtSigner {
  private constructor(private readonly key: SigningKey) {}

  static async create(): Promise<JwtSigner> {
    return new JwtSigner(await signingKey());
  }

  sign(claims: Record<string, unknown>): string {
    const header = encode({ typ: 'JWT', alg: 'RS256', kid: this.key.kid });
    const payload = encode({ jti: randomUUID(), ...claims });
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.key.privateKey);
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }

  /** The JWKS served at `/idp/keys`. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...this.key.publicJwk, kid: this.key.kid, use: 'sig', alg: 'RS256' }] };
  }
}

function encode(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
