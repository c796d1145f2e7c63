import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlussonicSimulator, startFlussonicSimulator } from '@app/flussonic-simulator';
import { freePort } from '@app/database';
import { createTestApp, newAdminKeyText, TestApp } from './utils/create-app';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
const VIEWER = 'viewer@customer-a.example';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as an operator runs it, with exactly `env` (plus PATH and a HOME of its own). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const json = <T>(run: CliRun): T => {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
};

let home: string;

describe('sso-broker CLI over the API (built CLI, real broker, Flussonic simulator)', () => {
  let t: TestApp;
  let flussonic: FlussonicSimulator;
  let admin: Record<string, string>;
  let tenantId: string;
  let connectionId: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('run `npm run build` first (npm test does it)');
    home = mkdtempSync(join(tmpdir(), 'sso-broker-cli-home-'));
    [t, flussonic] = await Promise.all([
      createTestApp({ env: { API_KEY_CACHE_TTL_MS: '0' } }),
      startFlussonicSimulator({ apiKey: 'watcher-key', users: [{ login: VIEWER }] }),
    ]);
    admin = { SSO_BROKER_URL: t.url, SSO_BROKER_API_KEY: t.adminKey };
  });
  afterAll(async () => {
    await Promise.all([t?.close(), flussonic?.close()]);
  });

  it('login saves a 0600 profile that the commands use; a profile others can read is refused', async () => {
    const login = await cli(['login', '--url', t.url, '--key', t.adminKey]);
    expect(login).toMatchObject({ code: 0 });
    const profile = join(home, '.config', 'sso-broker', 'profile.json');
    expect(statSync(profile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(profile, 'utf8'))).toEqual({ url: t.url, key: t.adminKey });

    expect(json<unknown[]>(await cli(['tenants', 'list', '--json']))).toEqual([]);

    chmodSync(profile, 0o644);
    const refused = await cli(['tenants', 'list']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('chmod 600');
    chmodSync(profile, 0o600);
  });

  it('tenants and connections: create from flags and from a YAML file, list as a table, check, rotate', async () => {
    const tenant = json<{ id: string; slug: string }>(
      await cli(['tenants', 'create', '--name', 'Customer A', '--json'], admin),
    );
    tenantId = tenant.id;
    expect(tenant.slug).toBe('customer-a');

    const file = join(home, 'watcher.yaml');
    writeFileSync(
      file,
      `name: watcher\nprovider: flussonic\nbase_url: ${flussonic.url}\nsettings:\n  default_session_lifetime: 3600\ncredentials:\n  api_key: watcher-key\n`,
    );
    const created = json<{ id: string; provider: string; settings: object }>(
      await cli(['connections', 'create', '--tenant', tenantId, '--file', file, '--json'], admin),
    );
    connectionId = created.id;
    expect(created).toMatchObject({ provider: 'flussonic', settings: { default_session_lifetime: 3600 } });

    const flags = await cli(
      [
        'connections',
        'create',
        '--tenant',
        tenantId,
        '--name',
        'watcher-2',
        '--provider',
        'flussonic',
        '--base-url',
        flussonic.url,
        '--setting',
        'token_ttl=60',
        '--credential',
        'api_key=watcher-key',
      ],
      admin,
    );
    expect(flags.code).toBe(0);
    expect(flags.stdout).toMatch(/watcher-2 .*flussonic/);

    const table = await cli(['connections', 'list', '--tenant', tenantId], admin);
    expect(table.stdout).toContain('watcher-2');
    expect(table.stdout).toMatch(/api_key v1/);

    expect(await cli(['connections', 'check', connectionId, '--tenant', tenantId], admin)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('ok:'),
    });
    const rotated = json<{ credential: { version: number } }>(
      await cli(
        ['connections', 'rotate', connectionId, '--tenant', tenantId, '--credential', 'api_key=wrong', '--json'],
        admin,
      ),
    );
    expect(rotated.credential.version).toBe(2);
    // The upstream refuses the new key: check says so and exits 1.
    const check = await cli(['connections', 'check', connectionId, '--tenant', tenantId], admin);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('failed: upstream_unauthorized');
    await cli(
      ['connections', 'rotate', connectionId, '--tenant', tenantId, '--credential', 'api_key=watcher-key'],
      admin,
    );
  });

  it('api-keys and link: a portal key issues a link; --open hands the launch page to the OS opener', async () => {
    const key = json<{ id: string; key: string }>(
      await cli(['api-keys', 'create', '--name', 'portal', '--role', 'portal', '--tenant', tenantId, '--json'], admin),
    );
    const portal = { SSO_BROKER_URL: t.url, SSO_BROKER_API_KEY: key.key };
    const direct = json<{ method: string; form: { action: string } }>(
      await cli(['link', '--connection', 'watcher', '--login', VIEWER, '--json'], portal),
    );
    expect(direct).toMatchObject({ method: 'POST', form: { action: `${flussonic.url}/vsaas/autologin` } });

    const opened = join(home, 'opened');
    const browser = join(home, 'browser');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > ${opened}\n`, { mode: 0o700 });
    const launch = await cli(['link', '--connection', 'watcher', '--login', VIEWER, '--open'], {
      ...portal,
      BROWSER: browser,
    });
    expect(launch.code).toBe(0);
    const url = /GET (\S+)/.exec(launch.stdout)![1];
    expect(url).toMatch(new RegExp(`^${t.url}/l/`));
    for (let i = 0; i < 50 && !existsSync(opened); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(opened, 'utf8').trim()).toBe(url);

    const listed = json<Array<{ id: string }>>(await cli(['api-keys', 'list', '--tenant', tenantId, '--json'], admin));
    expect(listed.map((k) => k.id)).toContain(key.id);
    expect((await cli(['api-keys', 'revoke', key.id], admin)).code).toBe(0);
    const revoked = await cli(['link', '--connection', 'watcher', '--login', VIEWER], portal);
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toContain('revoked_api_key');
  });

  it('audit list, export (file and events/s) and verify (exit 1 once a row is rewritten)', async () => {
    const events = json<Array<{ action: string }>>(
      await cli(['audit', 'list', '--tenant', tenantId, '--limit', '500', '--json'], admin),
    );
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['tenant.created', 'login_link.issued']));

    const file = join(home, 'audit.ndjson');
    const exported = await cli(['audit', 'export', '--tenant', tenantId, '--output', file, '--json'], admin);
    const summary = json<{ events: number; events_per_second: number }>(exported);
    expect(summary.events).toBe(events.length);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(events.length);
    expect(exported.stderr).toMatch(new RegExp(`exported ${events.length} events .* events/s`));
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const verify = ['audit', 'verify', '--tenant', tenantId, '--database-url', t.db.appUrl];
    const intact = await cli(verify);
    expect(intact).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`intact: ${events.length} events checked`),
    });
    // The offline path of the same tool: the export file, no database.
    expect((await cli(['audit', 'verify', '--tenant', tenantId, '--export', file])).code).toBe(0);

    // The database owner rewrites a row, switching the append-only triggers off as an attacker would.
    await t.db.query('SET session_replication_role = replica');
    await t.db.query(
      `UPDATE audit_events SET subject_login = 'mallory@evil.example' WHERE chain_id = $1 AND action = 'login_link.issued'`,
      [tenantId],
    );
    await t.db.query('SET session_replication_role = origin');
    const broken = await cli(verify);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN: first broken seq');
  });

  it('tenants suspend and delete; exit codes: 2 usage, 3 no broker or a refused key, 1 an API error', async () => {
    const suspended = json<{ status: string }>(await cli(['tenants', 'suspend', tenantId, '--json'], admin));
    expect(suspended.status).toBe('suspended');

    const noProfile = mkdtempSync(join(tmpdir(), 'sso-broker-cli-home-'));
    expect((await cli(['tenants', 'list'], { SSO_BROKER_URL: t.url, HOME: noProfile })).code).toBe(2); // no key anywhere
    expect((await cli(['tenants', 'frobnicate'], admin)).code).toBe(2);
    expect((await cli(['tenants', 'delete', tenantId], admin)).code).toBe(2); // without --yes
    expect((await cli(['tenants', 'list'], { ...admin, SSO_BROKER_API_KEY: newAdminKeyText() })).code).toBe(3);
    const port = await freePort();
    const down = await cli(['tenants', 'list', '--url', `http://127.0.0.1:${port}`], admin);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach');
    const invalid = await cli(['tenants', 'create', '--name', ' '], admin);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('validation_failed');

    expect((await cli(['tenants', 'delete', tenantId, '--yes'], admin)).code).toBe(0);
    expect(json<unknown[]>(await cli(['tenants', 'list', '--json'], admin))).toHaveLength(0);
  });
});
