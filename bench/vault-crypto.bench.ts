/**
 * Vault crypto micro-benchmark (crypto only, no database).
 * Run: npm run build && node dist/bench/vault-crypto.bench.js
 * Rewrap figures are unwrap + wrap of each data key under the newest master key, as in rotation.
 */
import { randomBytes } from 'node:crypto';
import { EnvelopeCipher, MasterKeyRing, SealedSecret, SecretBinding } from '../libs/vault/src/crypto';

const WARM_UP = 2_000;
const ITERATIONS = 20_000;
const REWRAP_SECRETS = 10_000;
const SECRET = Buffer.from(randomBytes(75).toString('base64'));
const BINDING: SecretBinding = {
  tenantId: '1b0e8f64-4c1d-4a57-9a52-0d6c2d8f1e11',
  connectionId: 'c7d2a0f3-5e0b-4c44-8a8e-6c1f3b9e2a70',
  secretVersion: 1,
  origin: 'https://eu2-cloud.acronis.com:443',
};

function timeEach(operation: () => unknown): number[] {
  for (let i = 0; i < WARM_UP; i++) operation();
  const micros = new Array<number>(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    operation();
    micros[i] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  return micros.sort((a, b) => a - b);
}

function report(name: string, sortedMicros: number[]): void {
  const mean = sortedMicros.reduce((sum, value) => sum + value, 0) / sortedMicros.length;
  const percentile = (p: number) => sortedMicros[Math.floor((p / 100) * (sortedMicros.length - 1))];
  const format = (value: number) => `${value.toFixed(1).padStart(7)} µs`;
  const figures = `mean ${format(mean)}   p50 ${format(percentile(50))}   p99 ${format(percentile(99))}`;
  console.log(`${name.padEnd(6)} ${figures}   (n=${sortedMicros.length})`);
}

function rewrapThroughput(): number {
  const bindingOf = (i: number): SecretBinding => ({ ...BINDING, connectionId: `connection-${i}` });
  const oldEntry = MasterKeyRing.generateEntry('v1');
  const old = new EnvelopeCipher(MasterKeyRing.parse(oldEntry));
  const rotated = new EnvelopeCipher(MasterKeyRing.parse(`${MasterKeyRing.generateEntry('v2')},${oldEntry}`));
  const sealAll = (count: number): SealedSecret[] =>
    Array.from({ length: count }, (_, i) => old.seal(SECRET, bindingOf(i)));
  sealAll(WARM_UP).forEach((secret, i) => rotated.rewrap(secret, bindingOf(i)));
  const sealed = sealAll(REWRAP_SECRETS);

  const start = process.hrtime.bigint();
  const rewrapped = sealed.map((secret, i) => rotated.rewrap(secret, bindingOf(i)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  const allRewrapped = rewrapped.every((secret) => secret.masterKeyVersion === 'v2');
  if (!allRewrapped || !rotated.open(rewrapped[0], bindingOf(0)).equals(SECRET)) {
    throw new Error('rewrap benchmark produced wrong results');
  }
  return REWRAP_SECRETS / seconds;
}

const cipher = new EnvelopeCipher(MasterKeyRing.parse(MasterKeyRing.generateEntry('v1')));
const sealedOnce = cipher.seal(SECRET, BINDING);
console.log(`vault crypto, node ${process.version}, ${SECRET.length}-byte secret, AES-256-GCM envelope`);
report(
  'seal',
  timeEach(() => cipher.seal(SECRET, BINDING)),
);
report(
  'open',
  timeEach(() => cipher.open(sealedOnce, BINDING)),
);
const perSecond = Math.round(rewrapThroughput()).toLocaleString('en-US');
console.log(`rewrap ${perSecond} secrets/s over ${REWRAP_SECRETS.toLocaleString('en-US')} sealed secrets`);
