import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** PEM file of the CA certificate, for UPSTREAM_CA_FILE. */
  caFile: string;
  /** A server certificate signed by the CA for `localhost`, `*.egress.test` and 127.0.0.1, with its key. */
  server: { cert: string; key: string };
  /** Deletes the directory holding the keys. */
  remove(): void;
}

/**
 * A throw-away CA and server certificate made at run time with the openssl CLI (node:crypto
 * cannot issue X.509 certificates), valid for one day, in a fresh temporary directory: no key is
 * ever committed.
 */
export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'sso-broker-test-ca-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=sso-broker test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(
    path('server.ext'),
    [
      'subjectAltName=DNS:localhost,DNS:*.egress.test,IP:127.0.0.1',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-set_serial',
    `0x${Date.now().toString(16)}`,
    '-days',
    '1',
    '-extfile',
    path('server.ext'),
    '-out',
    path('server.pem'),
  );
  return {
    caFile: path('ca.pem'),
    server: { cert: readFileSync(path('server.pem'), 'utf8'), key: readFileSync(path('server.key'), 'utf8') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
