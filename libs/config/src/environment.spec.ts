import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';
import { ConfigurationError, validateEnvironment } from './environment';
const AWKWARD = "a@b/c'd%e:f";

function refusal(raw: Record<string, string>): string {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('database settings in the environment', () => {
  it('DATABASE_CONNECT_RETRY_SECONDS defaults to 30 and accepts 0 (one attempt)', () => {
    expect(validateEnvironment({}).DATABASE_CONNECT_RETRY_SECONDS).toBe(30);
    expect(validateEnvironment({ DATABASE_CONNECT_RETRY_SECONDS: '0' }).DATABASE_CONNECT_RETRY_SECONDS).toBe(0);
    expect(refusal({ DATABASE_CONNECT_RETRY_SECONDS: '-1' })).toContain('DATABASE_CONNECT_RETRY_SECONDS');
  });

  it('puts DATABASE_PASSWORD and DATABASE_MIGRATION_PASSWORD into their URLs, percent-encoded', () => {
    const env = validateEnvironment({
      DATABASE_URL: 'postgres://sso_broker_app@postgres:5432/sso_broker',
      DATABASE_PASSWORD: AWKWARD,
      DATABASE_MIGRATION_URL: 'postgres://sso_broker_owner@postgres:5432/sso_broker?sslmode=disable',
      DATABASE_MIGRATION_PASSWORD: `${AWKWARD}2`,
    });
    // What node-postgres reads back is the password as given.
    const app = parse(env.DATABASE_URL!);
    expect([app.user, app.password, app.host, app.port, app.database]).toEqual([
      'sso_broker_app',
      AWKWARD,
      'postgres',
      '5432',
      'sso_broker',
    ]);
    const owner = parse(env.DATABASE_MIGRATION_URL!);
    expect([owner.user, owner.password, owner.database]).toEqual(['sso_broker_owner', `${AWKWARD}2`, 'sso_broker']);
    expect(env.DATABASE_MIGRATION_URL).toContain('sslmode=disable');
  });

  it('leaves URLs alone when no separate password is given', () => {
    const url = 'postgres://app:s%40cret@db:5432/sso';
    expect(validateEnvironment({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  it('refuses two passwords, a password without its URL, or a URL without a login', () => {
    expect(refusal({ DATABASE_URL: 'postgres://app:one@db/sso', DATABASE_PASSWORD: 'two' }).split('\n')[1]).toMatch(
      /^ {2}DATABASE_PASSWORD: DATABASE_URL already carries a password/,
    );
    expect(refusal({ DATABASE_MIGRATION_PASSWORD: 'x' })).toContain('set DATABASE_MIGRATION_URL too');
    expect(refusal({ DATABASE_URL: 'postgres://db/sso', DATABASE_PASSWORD: 'x' })).toContain('names no login');
  });

  it.each([
    ['an unencoded / (port becomes text)', `postgres://app:pa/ss@db:5432/sso`],
    ['an unencoded @ (another host)', `postgres://app:p@ss@db:5432/sso`],
    ['a stray %', `postgres://app:50%off@db:5432/sso`],
  ])('refuses a URL with a raw awkward password: %s, without repeating it', (_name, url) => {
    const message = refusal({ DATABASE_URL: url });
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('DATABASE_PASSWORD');
    expect(message).not.toContain('ss@');
    expect(message).not.toContain('off');
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    'false',
    'true',
    '1',
    '2',
    '10.0.0.0/8',
    '10.0.0.1, 192.168.0.0/16',
    'loopback,uniquelocal',
    'fd00::/8',
    '::1',
  ])('accepts %s outside production', (value) => {
    expect(validateEnvironment({ TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
  });

  it.each(['yes', 'abc', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '300.1.1.1', '10.0.0.1;rm'])(
    'refuses %s',
    (value) => {
      expect(refusal({ TRUST_PROXY: value })).toContain('TRUST_PROXY');
    },
  );

  it('refuses true in production (any client could choose its audited IP), naming the variable', () => {
    const production = {
      NODE_ENV: 'production',
      BROKER_MASTER_KEYS: `v1:${'A'.repeat(43)}=`,
      BROKER_AUDIT_SIGNING_KEYS: `v1:${'B'.repeat(43)}=`,
    };
    expect(refusal({ ...production, TRUST_PROXY: 'true' })).toMatch(/TRUST_PROXY: true trusts any X-Forwarded-For/);
    expect(validateEnvironment({ ...production, TRUST_PROXY: '1' }).TRUST_PROXY).toBe('1');
  });
});

describe('validateEnvironment: boolean variables', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['off', false],
  ])('reads %s as %s (RUN_MIGRATIONS, UPSTREAM_ALLOW_HTTP, V8_ALLOCATION_SITE_PRETENURING)', (raw, expected) => {
    expect(validateEnvironment({ RUN_MIGRATIONS: raw }).RUN_MIGRATIONS).toBe(expected);
    expect(validateEnvironment({ UPSTREAM_ALLOW_HTTP: raw }).UPSTREAM_ALLOW_HTTP).toBe(expected);
    expect(validateEnvironment({ V8_ALLOCATION_SITE_PRETENURING: raw }).V8_ALLOCATION_SITE_PRETENURING).toBe(expected);
  });

  it('keeps the default when unset or empty', () => {
    expect(validateEnvironment({}).RUN_MIGRATIONS).toBe(true);
    expect(validateEnvironment({ RUN_MIGRATIONS: '' }).RUN_MIGRATIONS).toBe(true);
    // Off unless asked for: docs/performance.md#pretenuring.
    expect(validateEnvironment({}).V8_ALLOCATION_SITE_PRETENURING).toBe(false);
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
