import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { freePort } from '@app/database';
import { BrokerProcess, SpawnedBroker, spawnBrokerProcess } from './utils/broker-process';
import { ComposeFile, interpolate, readComposeFile, serviceEnvironment } from './utils/compose-file';
import { newAdminKeyText, newMasterKeyEntry } from './utils/create-app';
import { embeddedPostgresBinaries, FreshCluster, RunningServer } from './utils/postgres-cluster';

const ROOT = join(__dirname, '..');
const DIST_MAIN = join(ROOT, 'dist', 'apps', 'broker', 'src', 'main.js');
const WITHOUT_EMBEDDED = join(__dirname, 'utils', 'without-embedded-postgres.js');
/** The port PostgreSQL listens on inside its container, as docker-compose.yml names it. */
const CONTAINER_PORT = '5432';

/** Passwords that break naive URLs, shells and SQL strings (`%41` would decode to `A` twice over). */
const OWNER_PASSWORD = "o@wn/er'pa%ss:1 \\";
const APP_PASSWORD = `a@pp/'%41:2"x`;

/** Every form in which a password could leak into a log line. */
function leakForms(password: string): string[] {
  return [password, encodeURIComponent(password), password.replace(/'/g, "''"), JSON.stringify(password).slice(1, -1)];
}

/** Runs a compose healthcheck (`CMD-SHELL`) the way Docker would, here; resolves with its exit code. */
function runHealthcheck(command: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile('sh', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...env } });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

function logLines(output: string): { level: number; msg: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

/**
 * docker-compose.yml cannot run here (no container engine), so this runs its steps on this
 * machine, reading the file itself: the postgres service's environment, its init script mount and
 * healthcheck, and the broker service's environment, interpolated as compose would from the
 * variables an operator sets. Only the addresses differ: the containers' `postgres:5432` is a
 * fresh PostgreSQL cluster on a free local port.
 */
describe('docker-compose.yml steps, without containers', () => {
  let compose: ComposeFile;
  let cluster: FreshCluster;
  let server: RunningServer | undefined;
  let port: number;
  const brokers: (SpawnedBroker | BrokerProcess)[] = [];
  const adminKey = newAdminKeyText();
  /** What an operator would put in .env next to docker-compose.yml. */
  const operatorEnv = {
    POSTGRES_PASSWORD: OWNER_PASSWORD,
    SSO_BROKER_APP_PASSWORD: APP_PASSWORD,
    BROKER_MASTER_KEYS: newMasterKeyEntry('v1'),
    BROKER_AUDIT_SIGNING_KEYS: newMasterKeyEntry('v1'),
    BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
  };
  let postgresEnv: Record<string, string>;
  let healthcheck: string;

  /** The broker service's environment, its addresses mapped onto this machine. */
  async function brokerEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
    const env = serviceEnvironment(compose, 'broker', operatorEnv);
    for (const name of ['DATABASE_URL', 'DATABASE_MIGRATION_URL']) {
      const url = new URL(env[name]);
      expect([url.hostname, url.port]).toEqual(['postgres', CONTAINER_PORT]);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      env[name] = url.toString();
    }
    return {
      ...env,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      // The image has no embedded-postgres: neither may this broker load it.
      NODE_OPTIONS: `--require ${WITHOUT_EMBEDDED}`,
      ...overrides,
    };
  }

  function spawnBroker(env: Record<string, string>): SpawnedBroker {
    const broker = spawnBrokerProcess(env);
    brokers.push(broker);
    return broker;
  }

  async function connectAs(user: string, password: string): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port, user, password, database: postgresEnv.POSTGRES_DB });
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    if (!existsSync(DIST_MAIN)) throw new Error('run `npm run build` first (npm test does it)');
    for (const tool of ['psql', 'pg_isready']) {
      try {
        execFileSync(tool, ['--version'], { stdio: 'pipe' });
      } catch {
        throw new Error(`${tool} (PostgreSQL 15+ client) is needed: apt-get install -y postgresql-client`);
      }
    }
    compose = readComposeFile(join(ROOT, 'docker-compose.yml'));
    postgresEnv = serviceEnvironment(compose, 'postgres', operatorEnv);
    const test = compose.services.postgres.healthcheck?.test;
    expect(Array.isArray(test) && test[0]).toBe('CMD-SHELL');
    healthcheck = interpolate((test as string[])[1], operatorEnv);
    port = await freePort();
    cluster = FreshCluster.initialise(
      embeddedPostgresBinaries(),
      postgresEnv.POSTGRES_USER,
      postgresEnv.POSTGRES_PASSWORD,
    );
  });

  afterAll(async () => {
    for (const broker of brokers) if (broker.child.exitCode === null) broker.child.kill('SIGKILL');
    await server?.stop();
    await cluster?.destroy();
  });

  it('compose reads: TCP healthcheck, broker restarts and waits for health, passwords outside the URLs', () => {
    expect(healthcheck).toMatch(/^pg_isready -h 127\.0\.0\.1 -p 5432 /);
    expect(compose.services.broker.restart).toMatch(/^(always|unless-stopped|on-failure)/);
    expect(compose.services.broker.depends_on?.postgres?.condition).toBe('service_healthy');
    const env = serviceEnvironment(compose, 'broker', operatorEnv);
    for (const name of ['DATABASE_URL', 'DATABASE_MIGRATION_URL']) expect(new URL(env[name]).password).toBe('');
    expect(env.DATABASE_PASSWORD).toBe(APP_PASSWORD);
    expect(env.DATABASE_MIGRATION_PASSWORD).toBe(OWNER_PASSWORD);
    expect(postgresEnv.SSO_BROKER_APP_PASSWORD).toBe(APP_PASSWORD);
  });

  it('first start of the database: the init script creates the login; health waits for the real TCP server', async () => {
    const mount = (compose.services.postgres.volumes ?? []).find((v) => v.includes('/docker-entrypoint-initdb.d/'));
    expect(mount).toBeDefined();
    const initScript = join(ROOT, mount!.split(':')[0]);
    // The container's port 5432 is this cluster's port.
    const check = healthcheck.replace(/ -p 5432 /, ` -p ${port} `);
    // What the image's entrypoint does: a temporary server on the Unix socket only, the database,
    // the init scripts (executable ones are run, with the container's environment), a restart.
    const socketEnv = { PGHOST: cluster.socketDir, PGPORT: String(port) };
    const initServer = await cluster.startSocketOnly(port);
    try {
      // The old check (no -h) reached the init-time server through the socket and said healthy.
      const socketCheck = `pg_isready -U ${postgresEnv.POSTGRES_USER} -d ${postgresEnv.POSTGRES_DB}`;
      expect(await runHealthcheck(socketCheck, socketEnv)).toBe(0);
      expect(await runHealthcheck(check, socketEnv)).not.toBe(0);
      execFileSync('psql', [
        '-v',
        'ON_ERROR_STOP=1',
        '--no-psqlrc',
        '-h',
        cluster.socketDir,
        '-p',
        String(port),
        '-U',
        postgresEnv.POSTGRES_USER,
        '-d',
        'postgres',
        '-c',
        `CREATE DATABASE "${postgresEnv.POSTGRES_DB}"`,
      ]);
      execFileSync(initScript, [], {
        env: { PATH: process.env.PATH ?? '', ...postgresEnv, ...socketEnv, PGPASSWORD: postgresEnv.POSTGRES_PASSWORD },
        stdio: 'pipe',
      });
    } finally {
      await initServer.stop();
    }
    expect(await runHealthcheck(check, {})).not.toBe(0);
    server = await cluster.startTcp(port);
    expect(await runHealthcheck(check, {})).toBe(0);

    // The awkward passwords are the real ones, over TCP with scram-sha-256.
    const app = await connectAs('sso_broker_app', APP_PASSWORD);
    const role = await app.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; member: boolean }>(
      `SELECT rolsuper, rolcreaterole, rolcreatedb, pg_has_role('sso_broker_runtime', 'MEMBER') AS member
         FROM pg_roles WHERE rolname = current_user`,
    );
    await app.end();
    expect(role.rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false, member: true }]);
    await expect(connectAs('sso_broker_app', 'change-me-app')).rejects.toThrow(/password authentication failed/);
    (await connectAs(postgresEnv.POSTGRES_USER, OWNER_PASSWORD)).end().catch(() => undefined);
  });

  it("the broker with compose's environment migrates as the owner, serves as the app login, and logs no secret", async () => {
    expect(server).toBeDefined();
    const broker = await spawnBroker(await brokerEnv()).ready();
    const created = await request(broker.url)
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${adminKey}`)
      .send({ name: 'Compose Customer' });
    expect(created.status).toBe(201);

    const owner = await connectAs(postgresEnv.POSTGRES_USER, OWNER_PASSWORD);
    try {
      const migrationsOwner = await owner.query<{ tableowner: string }>(
        `SELECT tableowner FROM pg_tables WHERE tablename = 'schema_migrations'`,
      );
      expect(migrationsOwner.rows).toEqual([{ tableowner: postgresEnv.POSTGRES_USER }]);
      const pool = await owner.query<{ usename: string }>(
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'sso-broker'`,
      );
      expect(pool.rows).toEqual([{ usename: 'sso_broker_app' }]);
    } finally {
      await owner.end();
    }

    expect(await broker.stop('SIGTERM')).toBe(0);
    const output = broker.output();
    expect(output).toContain('applied migrations:');
    for (const secret of [...leakForms(OWNER_PASSWORD), ...leakForms(APP_PASSWORD), adminKey]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain('BOOTSTRAP ADMIN KEY'); // given by the operator: none is generated
    expect(logLines(output).filter((line) => line.level >= 50)).toEqual([]);
  });

  it('a broker started before PostgreSQL accepts connections retries with backoff, then becomes ready', async () => {
    await server!.stop();
    server = undefined;
    const broker = spawnBroker(await brokerEnv());
    const retries = () => logLines(broker.output()).filter((line) => line.msg.includes('is not reachable yet'));
    await broker.waitForOutput(() => retries().length >= 2, 30_000);
    server = await cluster.startTcp(port);
    const ready = await broker.ready();

    const warnings = retries();
    expect(warnings.every((line) => line.level === 40)).toBe(true);
    expect(warnings[0].msg).toMatch(
      /^PostgreSQL at sso_broker_owner@127\.0\.0\.1:\d+\/sso_broker is not reachable yet \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); attempt 2 in 500 ms, giving up 30 s from now$/,
    );
    expect(warnings[1].msg).toContain('attempt 3 in 1000 ms');
    expect(await ready.stop('SIGTERM')).toBe(0);
    for (const secret of [...leakForms(OWNER_PASSWORD), ...leakForms(APP_PASSWORD)]) {
      expect(broker.output()).not.toContain(secret);
    }
  });

  it('gives up after DATABASE_CONNECT_RETRY_SECONDS with exit code 1 and a clear message', async () => {
    await server!.stop();
    server = undefined;
    const broker = spawnBroker(await brokerEnv({ DATABASE_CONNECT_RETRY_SECONDS: '2' }));
    expect(await broker.exited).toBe(1);
    const lines = logLines(broker.output());
    expect(lines.at(-1)).toMatchObject({
      level: 50,
      msg: expect.stringMatching(
        /^start-up failed: PostgreSQL at sso_broker_owner@127\.0\.0\.1:\d+\/sso_broker did not accept connections within 2 s \(\d attempts; DATABASE_CONNECT_RETRY_SECONDS\); last error: connect ECONNREFUSED/,
      ),
    });
    for (const secret of [...leakForms(OWNER_PASSWORD), ...leakForms(APP_PASSWORD)]) {
      expect(broker.output()).not.toContain(secret);
    }
  });

  it('a wrong password is not waited on: exit code 1 at once, saying so', async () => {
    server = await cluster.startTcp(port);
    const broker = spawnBroker(await brokerEnv({ DATABASE_PASSWORD: 'not-the-password' }));
    expect(await broker.exited).toBe(1);
    const output = broker.output();
    expect(output).not.toContain('is not reachable yet');
    expect(output).toContain('start-up failed: password authentication failed for user \\"sso_broker_app\\"');
  });

  it('without DATABASE_URL and without the embedded-postgres package, exits 1 saying what to do', async () => {
    const dataDir = join(cluster.root, 'broker-data');
    const broker = spawnBroker({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_OPTIONS: `--require ${WITHOUT_EMBEDDED}`,
    });
    expect(await broker.exited).toBe(1);
    // Before touching DATA_DIR (in the image, the app directory is not the broker user's to write).
    expect(existsSync(dataDir)).toBe(false);
    expect(broker.output()).toContain(
      'DATABASE_URL is not set, so the broker would start an embedded PostgreSQL, but @embedded-postgres/',
    );
    expect(broker.output()).toContain('Set DATABASE_URL to a PostgreSQL server');
  });
});
