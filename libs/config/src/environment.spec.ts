import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnvironment } from './environment';

describe('validateEnvironment: boolean variables', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['off', false],
  ])('reads %s as %s (RUN_MIGRATIONS, UPSTREAM_ALLOW_HTTP)', (raw, expected) => {
    expect(validateEnvironment({ RUN_MIGRATIONS: raw }).RUN_MIGRATIONS).toBe(expected);
    expect(validateEnvironment({ UPSTREAM_ALLOW_HTTP: raw }).UPSTREAM_ALLOW_HTTP).toBe(expected);
  });

  it('keeps the default when unset or empty', () => {
    expect(validateEnvironment({}).RUN_MIGRATIONS).toBe(true);
    expect(validateEnvironment({ RUN_MIGRATIONS: '' }).RUN_MIGRATIONS).toBe(true);
  });
});

describe('validateEnvironment: upstream egress variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sso-broker-env-'));

  it('leaves UPSTREAM_ALLOW_HTTP unset by default (the policy then follows NODE_ENV) and reads true/false', () => {
    expect(validateEnvironment({}).UPSTREAM_ALLOW_HTTP).toBeUndefined();
    expect(validateEnvironment({ UPSTREAM_ALLOW_HTTP: 'true' }).UPSTREAM_ALLOW_HTTP).toBe(true);
    expect(validateEnvironment({ UPSTREAM_ALLOW_HTTP: 'false' }).UPSTREAM_ALLOW_HTTP).toBe(false);
  });

  it('accepts a comma list of CIDR networks and names an entry that is not one', () => {
    expect(validateEnvironment({ UPSTREAM_ALLOWED_NETWORKS: '10.20.0.0/16, fd00::/8' }).UPSTREAM_ALLOWED_NETWORKS).toBe(
      '10.20.0.0/16, fd00::/8',
    );
    expect(() => validateEnvironment({ UPSTREAM_ALLOWED_NETWORKS: '10.20.0.0/16,10.0.0.300/8' })).toThrow(
      /UPSTREAM_ALLOWED_NETWORKS: "10.0.0.300\/8" is not a CIDR network/,
    );
  });

  it('refuses a CA file that is missing or holds no certificate, without printing its content', () => {
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'secret-looking-content');
    expect(() => validateEnvironment({ UPSTREAM_CA_FILE: join(dir, 'absent.pem') })).toThrow(
      /UPSTREAM_CA_FILE: the file cannot be read/,
    );
    expect(() => validateEnvironment({ UPSTREAM_CA_FILE: notPem })).toThrow(/UPSTREAM_CA_FILE: the file holds no PEM/);
    expect(() => validateEnvironment({ UPSTREAM_CA_FILE: notPem })).not.toThrow(/secret-looking-content/);
    const broken = join(dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(() => validateEnvironment({ UPSTREAM_CA_FILE: broken })).toThrow(/cannot be parsed/);
  });
});
