import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { BrokerProcess, startBrokerProcess } from './utils/broker-process';
import { createTestApp, newAdminKeyText, TestApp } from './utils/create-app';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI, as an operator runs it: `sso-broker …` with exactly `env` (plus PATH). */
function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('sso-broker admin-key create: recovery from a lost admin key', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('run `npm run build` first (npm test does it)');
  });

  describe('on an external database', () => {
    let t: TestApp;
    beforeAll(async () => {
      // No key cache: the expired key must be refused on the very next request.
      t = await createTestApp({ env: { API_KEY_CACHE_TTL_MS: '0' } });
    });
    afterAll(async () => t?.close());

    it('the only admin key expired → admin-key create → the new key works, with an audit event', async () => {
      await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE role = 'admin'`);
      expect((await request(t.url).get('/v1/tenants').set('Authorization', `Bearer ${t.adminKey}`)).body.code).toBe(
        'expired_api_key',
      );

      // The runtime login is enough: the command needs no more than the broker itself.
      const run = await cli(['admin-key', 'create', '--name', 'recovery', '--json'], { DATABASE_URL: t.db.appUrl });
      expect(run).toMatchObject({ code: 0 });
      const created = JSON.parse(run.stdout) as { id: string; key: string; role: string };
      expect(created).toMatchObject({ role: 'admin', key: expect.stringMatching(/^sbk_a_/) });

      const works = await request(t.url).get('/v1/tenants').set('Authorization', `Bearer ${created.key}`);
      expect(works.status).toBe(200);
      const [event] = await t.db.query<{ actor_type: string; actor_id: string; metadata: Record<string, unknown> }>(
        `SELECT actor_type, actor_id, metadata FROM audit_events WHERE action = 'api_key.created' AND metadata->>'key_id' = $1`,
        [created.id],
      );
      expect(event).toMatchObject({
        actor_type: 'system',
        actor_id: 'cli:admin-key create',
        metadata: { name: 'recovery', role: 'admin', via: 'cli' },
      });
      expect(JSON.stringify(event)).not.toContain(created.key);
      const verdict = await request(t.url).get('/v1/audit-events/verify').set('Authorization', `Bearer ${created.key}`);
      expect(verdict.body).toMatchObject({ tenant_id: null, ok: true });
    });

    it('prints the key in a framed block for people, and refuses bad arguments with exit code 2', async () => {
      const human = await cli(['admin-key', 'create', '--name', 'second'], { DATABASE_URL: t.db.appUrl });
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^\+-+\+\n\| New admin key \(shown once/);
      expect(human.stdout).toMatch(/\| sbk_a_[A-Za-z0-9_-]{43} +\|/);
      expect((await cli(['admin-key', 'create'], { DATABASE_URL: t.db.appUrl })).code).toBe(2);
      expect(
        (await cli(['admin-key', 'create', '--name', 'x', '--expires-at', '2001-01-01'], { DATABASE_URL: t.db.appUrl }))
          .code,
      ).toBe(2);
    });

    it('answers exit code 3 when the database cannot be reached', async () => {
      const run = await cli(['admin-key', 'create', '--name', 'x'], {
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x',
      });
      expect(run.code).toBe(3);
    });
  });

  describe("on the README's default setup (the embedded cluster under DATA_DIR)", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sso-broker-cli-'));
    const env = {
      DATA_DIR: dataDir,
      PORT: String(20000 + Math.floor(Math.random() * 20000)),
      HOST: '127.0.0.1',
      BROKER_BOOTSTRAP_ADMIN_KEY: newAdminKeyText(),
      LOG_LEVEL: 'warn',
    };
    let broker: BrokerProcess | undefined;
    afterAll(() => {
      if (broker?.child.exitCode === null) broker.child.kill('SIGKILL');
    });

    it('finds the cluster by itself, with the broker stopped, and the next start honours the new key', async () => {
      broker = await startBrokerProcess(env);
      expect(await broker.stop()).toBe(0);
      const run = await cli(['admin-key', 'create', '--name', 'offline recovery', '--json'], { DATA_DIR: dataDir });
      expect(run).toMatchObject({ code: 0 });
      expect(run.stderr).toContain('starting it for this command');
      const { key } = JSON.parse(run.stdout) as { key: string };
      broker = await startBrokerProcess(env);
      expect((await request(broker.url).get('/v1/tenants').set('Authorization', `Bearer ${key}`)).status).toBe(200);
      // With the broker running, the command uses its server.
      const again = await cli(['admin-key', 'create', '--name', 'online recovery', '--json'], { DATA_DIR: dataDir });
      expect(again).toMatchObject({ code: 0 });
      expect(again.stderr).not.toContain('starting it');
      expect(await broker.stop()).toBe(0);
    });
  });
});
