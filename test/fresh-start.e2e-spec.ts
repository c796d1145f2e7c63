import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { BROKER_NODE_FLAGS } from '../apps/broker/src/bootstrap/heap';
import { auditVerifyCli } from '../scripts/audit-verify';
import { BrokerProcess, startBrokerProcess } from './utils/broker-process';
import { pollUntil } from './utils/poll-until';
import { newAdminKeyText, newMasterKeyEntry } from './utils/create-app';

const DIST_MAIN = join(__dirname, '..', 'dist', 'apps', 'broker', 'src', 'main.js');
const SEMI_SPACE_WARNING = `started without ${BROKER_NODE_FLAGS.join(' ')}`;

function embeddedServersOn(dataDir: string): number {
  const out = execFileSync('ps', ['-eo', 'args']).toString();
  return out.split('\n').filter((line) => line.includes(`-D ${join(dataDir, 'postgres')}`)).length;
}

/**
 * The two-command promise of the README: the built server with no DATABASE_URL starts a real
 * PostgreSQL under DATA_DIR, keeps data across restarts, and recovers after a SIGKILL.
 */
describe('fresh start on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sso-broker-fresh-'));
  const adminKey = newAdminKeyText();
  const env = {
    DATA_DIR: dataDir,
    PORT: String(20000 + Math.floor(Math.random() * 20000)),
    HOST: '127.0.0.1',
    BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'info',
  };
  const timings: Record<string, number> = {};
  const brokers: BrokerProcess[] = [];
  const start = async (nodeFlags?: readonly string[], extraEnv: Record<string, string> = {}) => {
    const broker = await startBrokerProcess({ ...env, ...extraEnv }, undefined, nodeFlags);
    brokers.push(broker);
    return broker;
  };

  beforeAll(() => {
    if (!existsSync(DIST_MAIN)) throw new Error('run `npm run build` first (npm test does it)');
  });
  afterAll(() => {
    process.stdout.write(`fresh-start timings (ms): ${JSON.stringify(timings)}\n`);
    // A failed assertion must not leave processes behind (the SIGKILL step orphans a server on purpose).
    for (const broker of brokers) if (broker.child.exitCode === null) broker.child.kill('SIGKILL');
    try {
      process.kill(Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGINT');
    } catch {
      // no server left: the normal case
    }
  });

  it('starts, keeps its data across a clean restart, and recovers from SIGKILL', async () => {
    const first = await start();
    timings.first_start_to_ready = first.readyAfterMs;
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['postgres', 'embedded-postgres.json']));
    expect(statSync(join(dataDir, 'embedded-postgres.json')).mode & 0o077).toBe(0);
    const created = await request(first.url)
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${adminKey}`)
      .send({ name: 'Persisted Customer' });
    expect(created.status).toBe(201);
    const connection = await request(first.url)
      .post(`/v1/tenants/${created.body.id}/connections`)
      .set('Authorization', `Bearer ${adminKey}`)
      .send({
        name: 'watcher',
        provider: 'flussonic',
        base_url: 'https://watcher.example.com',
        credentials: { api_key: 'fresh-start-api-key', auth_mode: 'v2' },
      });
    expect(connection.status).toBe(201);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(embeddedServersOn(dataDir)).toBe(0);
    // Started as production starts it: no warning about the young generation's cap.
    expect(first.output()).not.toContain(SEMI_SPACE_WARNING);

    // The cap given in NODE_OPTIONS instead of on the command line counts as well.
    const second = await start([], { NODE_OPTIONS: BROKER_NODE_FLAGS.join(' ') });
    expect(second.output()).not.toContain(SEMI_SPACE_WARNING);
    timings.restart_to_ready = second.readyAfterMs;
    const listed = await request(second.url).get('/v1/tenants').set('Authorization', `Bearer ${adminKey}`);
    expect(listed.body.data.map((t: { slug: string }) => t.slug)).toEqual(['persisted-customer']);
    await second.stop('SIGKILL');
    expect(embeddedServersOn(dataDir)).toBe(1); // the orphan a killed broker leaves behind

    // Started without the cap (docs/runtime.md#node-flags): it says so.
    const third = await start([]);
    expect(third.output()).toContain(`${SEMI_SPACE_WARNING}: on Node 24`);
    timings.after_sigkill_to_ready = third.readyAfterMs;
    expect(third.output()).toContain('left running by an earlier broker process');
    const again = await request(third.url)
      .get(`/v1/tenants/${created.body.id}`)
      .set('Authorization', `Bearer ${adminKey}`);
    expect(again.status).toBe(200);
    expect(await third.stop('SIGTERM')).toBe(0);
    expect(embeddedServersOn(dataDir)).toBe(0);
  }, 180_000);

  it('the default setup signs checkpoints with a development key, and audit:verify needs nothing but --tenant', async () => {
    // Runs after the test above: DATA_DIR holds the cluster and the tenant it created.
    const broker = await startBrokerProcess({ ...env, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1' });
    brokers.push(broker);
    const keyFile = join(dataDir, 'audit-signing.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const listed = await request(broker.url).get('/v1/tenants').set('Authorization', `Bearer ${adminKey}`);
    const tenantId = listed.body.data[0].id as string;
    const file = join(dataDir, 'checkpoints', `${tenantId}.checkpoints`);
    expect(await pollUntil(() => existsSync(file), Boolean, { timeoutMs: 30_000 })).toBe(true);
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditVerifyCli(
      ['--tenant', tenantId],
      { DATA_DIR: dataDir },
      {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      },
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const verdict = JSON.parse(out[0]) as Record<string, unknown>;
    expect(verdict).toMatchObject({
      tenant_id: tenantId,
      ok: true,
      public_keys: keyFile,
      checkpoint_files: [join(dataDir, 'checkpoints')],
      latest_checkpoint: { seq: verdict.head_seq },
    });
    expect(verdict.checkpoints_checked).toBeGreaterThanOrEqual(2); // the table's and the file's
    expect(await broker.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('refusing to start (a stored secret under a master key it lacks) stops its embedded PostgreSQL too', async () => {
    // Runs after the test above: DATA_DIR holds a secret sealed under the generated development key.
    const attempt = await startBrokerProcess({ ...env, BROKER_MASTER_KEYS: newMasterKeyEntry('v9') }).then(
      (broker) => brokers.push(broker), // started after all: afterAll must still stop it
      (error: Error) => error.message,
    );
    expect(attempt).toMatch(/broker exited with 1[\s\S]*which BROKER_MASTER_KEYS does not configure/);
    expect(embeddedServersOn(dataDir)).toBe(0);
    const fine = await start();
    expect(await fine.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('exits non-zero naming the variable when the configuration is invalid', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [DIST_MAIN], {
        env: { PATH: process.env.PATH ?? '', PORT: 'not-a-port', DATA_DIR: dataDir },
        stdio: 'pipe',
      });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain('PORT');
  });

  it('refuses to start in production without BROKER_MASTER_KEYS or BROKER_AUDIT_SIGNING_KEYS (exit 2, naming them)', () => {
    const run = (extra: Record<string, string>) => {
      try {
        execFileSync(process.execPath, [DIST_MAIN], {
          env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATA_DIR: dataDir, ...extra },
          stdio: 'pipe',
        });
        return { status: 0, stderr: '' };
      } catch (error) {
        return { status: (error as { status: number }).status, stderr: String((error as { stderr: Buffer }).stderr) };
      }
    };
    const neither = run({});
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain('BROKER_MASTER_KEYS');
    expect(neither.stderr).toContain('BROKER_AUDIT_SIGNING_KEYS');
    const noSigningKey = run({ BROKER_MASTER_KEYS: newMasterKeyEntry() });
    expect(noSigningKey.status).toBe(2);
    expect(noSigningKey.stderr).toMatch(/BROKER_AUDIT_SIGNING_KEYS: required when NODE_ENV=production/);
    expect(noSigningKey.stderr).not.toContain('BROKER_MASTER_KEYS');
    const malformed = run({ BROKER_MASTER_KEYS: newMasterKeyEntry(), BROKER_AUDIT_SIGNING_KEYS: 'v1:c2VjcmV0' });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain('BROKER_AUDIT_SIGNING_KEYS');
    expect(malformed.stderr).not.toContain('c2VjcmV0');
  });
});
