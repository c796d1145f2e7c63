import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acronisOptionsFromEnv, startAcronisSimulator } from '@app/acronis-simulator';
import { flussonicOptionsFromEnv, startFlussonicSimulator } from '@app/flussonic-simulator';
import { freePort } from '@app/database';
import { BROKER_NODE_FLAGS } from '../apps/broker/src/bootstrap/heap';

/** The built CLI, next to this file in dist/. */
const CLI_MAIN = resolve(__dirname, '../apps/cli/src/main.js');

/** The built broker, next to this file in dist/. */
export const BROKER_MAIN = resolve(__dirname, '../apps/broker/src/main.js');

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Spawns dist/apps/broker/src/main.js and waits until it answers HTTP. */
export async function startBrokerProcess(env: Record<string, string>, quiet = true): Promise<BrokerProcess> {
  if (!existsSync(BROKER_MAIN)) throw new Error('run `npm run build` first');
  // BROKER_NODE_ARGS, e.g. "--cpu-prof", profiles the broker child of the demo or a benchmark.
  const nodeArgs = (process.env.BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...BROKER_NODE_FLAGS, ...nodeArgs, BROKER_MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`broker exited with code ${code}`))),
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    const ready = await Promise.race([
      fetch(`${url}/openapi.json`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ready) break;
    if (Date.now() > deadline) throw new Error('broker did not start within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

interface Named {
  id: string;
  name?: string;
  slug?: string;
}

/** Reuses the tenant and connections when they exist, so re-runs are cheap; a fresh portal key each run. */
export async function ensureTenantWithConnections(
  admin: AdminClient,
  slug: string,
  acronisUrl: string,
  flussonicUrl: string,
) {
  const tenants = await admin.call<{ data: Named[] }>('GET', '/v1/tenants?limit=500');
  const tenant =
    tenants.data.find((t) => t.slug === slug) ??
    (await admin.call<Named>('POST', '/v1/tenants', { name: `Demo ${slug}`, slug }));
  const existing = await admin.call<{ data: Named[] }>('GET', `/v1/tenants/${tenant.id}/connections?limit=500`);
  const wanted = [
    {
      name: 'acronis-demo',
      provider: 'acronis',
      base_url: acronisUrl,
      settings: { allowed_target_uris: [`${acronisUrl}/mc/`] },
      credentials: { client_id: 'demo-client', client_secret: 'demo-secret' },
      // The continue page waits for the person's click (docs/links.md#the-launch-page-flow).
      launch_confirmation: 'click',
      policy: { subjects: { allow: { logins: ['*@customer-a.example'] } } },
    },
    {
      name: 'flussonic-demo',
      provider: 'flussonic',
      base_url: flussonicUrl,
      settings: { default_session_lifetime: 3600 },
      credentials: { api_key: 'demo-watcher-api-key', auth_mode: 'legacy' },
      launch_confirmation: 'auto',
      // Only the customer's own people, never the Watcher's admin (docs/links.md#issuance-policy).
      policy: { subjects: { allow: { logins: ['*@customer-a.example'] }, deny: { logins: ['admin'] } } },
    },
  ];
  for (const connection of wanted) {
    const found = existing.data.find((c) => c.name === connection.name);
    if (found === undefined) await admin.call('POST', `/v1/tenants/${tenant.id}/connections`, connection);
    else
      await admin.call('PATCH', `/v1/tenants/${tenant.id}/connections/${found.id}`, {
        launch_confirmation: connection.launch_confirmation,
        policy: connection.policy,
      });
  }
  const key = await admin.call<{ key: string }>('POST', '/v1/api-keys', {
    name: `${slug} portal ${new Date().toISOString()}`,
    role: 'portal',
    tenant_id: tenant.id,
  });
  return { tenantId: tenant.id, portalKey: key.key };
}

/** Whether something already listens on 127.0.0.1:port (a probe bind; the demo's own start follows at once). */
function portTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(false)));
  });
}

/**
 * `preferred`, or a free port when something else holds it (the simulators of `npm run
 * simulators`, another demo), saying so. A port the user named explicitly (`PORT=…`) is not
 * replaced: the demo stops and names it.
 */
async function demoPort(preferred: number, what: string, explicit: boolean, chosen: Set<number>): Promise<number> {
  if (!chosen.has(preferred) && !(await portTaken(preferred))) {
    chosen.add(preferred);
    return preferred;
  }
  if (explicit)
    throw new Error(
      `port ${preferred} (${what}, set by PORT) is taken: stop what listens there, or choose another PORT`,
    );
  const port = await freePort();
  chosen.add(port);
  process.stdout.write(`Port ${preferred} (${what}) is taken; using ${port} instead.\n`);
  return port;
}

/** Runs the built CLI as a person would, its output straight to the terminal. */
function runCli(args: string[], env: Record<string, string>): number {
  process.stdout.write(`\n$ sso-broker ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [CLI_MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return run.status ?? 1;
}

function demoAdminKey(dataDir: string): string {
  const file = join(dataDir, 'demo-admin-key');
  if (!existsSync(file)) writeFileSync(file, `sbk_a_${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DEMO_DATA_DIR ?? '.data/demo');
  mkdirSync(dataDir, { recursive: true });
  const chosen = new Set<number>();
  const port = String(
    await demoPort(Number(process.env.PORT ?? 3000), 'the broker', process.env.PORT !== undefined, chosen),
  );
  const acronis = await startAcronisSimulator({
    ...acronisOptionsFromEnv(),
    port: await demoPort(4010, 'the Acronis simulator', false, chosen),
  });
  const flussonic = await startFlussonicSimulator({
    ...flussonicOptionsFromEnv(),
    port: await demoPort(4020, 'the Flussonic simulator', false, chosen),
  });
  const adminKey = demoAdminKey(dataDir);
  process.stdout.write('Starting the broker on the embedded database (the first start takes a little longer)…\n');
  const broker = await startBrokerProcess({
    PORT: port,
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'warn',
    PUBLIC_BASE_URL: `http://localhost:${port}`,
  });
  const stop = async () => {
    await broker.stop();
    await Promise.all([acronis.close(), flussonic.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const admin = new AdminClient(broker.url, adminKey);
  const { tenantId, portalKey } = await ensureTenantWithConnections(admin, 'demo', acronis.url, flussonic.url);
  const portal = new AdminClient(broker.url, portalKey);
  const launch = (connection: string, login: string) =>
    portal.call<{ url: string }>('POST', '/v1/login-links', {
      connection,
      user: { login },
      delivery: 'launch',
      expires_in: 3600,
    });
  const acronisLaunch = await launch('acronis-demo', 'alice@customer-a.example');
  const flussonicLaunch = await launch('flussonic-demo', 'viewer@customer-a.example');
  // The policy at work: the Watcher's admin is not someone this portal may sign in as.
  const refused = await fetch(`${broker.url}/v1/login-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${portalKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'flussonic-demo', user: { login: 'admin' } }),
  });
  const refusal = `${refused.status} ${((await refused.json()) as { code?: string }).code ?? ''}`;
  const base = `http://localhost:${port}`;
  const curl = (body: object) =>
    `curl -s -X POST ${base}/v1/login-links -H "Authorization: Bearer $PORTAL_KEY" -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
  process.stdout.write(`
sso-broker demo is running
  broker      ${base}   (Swagger UI: ${base}/docs)
  acronis     ${acronis.url}   (simulator)
  flussonic   ${flussonic.url}   (simulator)
  tenant      demo  ${tenantId}
  admin key   ${adminKey}   (kept in ${join(dataDir, 'demo-admin-key')})

export PORTAL_KEY=${portalKey}

# Acronis, direct: open the "url" of the answer in a browser (the OTT in its fragment works once, for 30 s)
${curl({ connection: 'acronis-demo', user: { login: 'alice@customer-a.example' } })}

# Flussonic, direct: the answer is a form; POST it as a browser would
${curl({ connection: 'flussonic-demo', user: { login: 'viewer@customer-a.example' } })}
#   then: curl -si -X POST ${flussonic.url}/vsaas/autologin --data-urlencode "autologin_token=<form.fields.autologin_token>"

# Launch links (single use, valid 1 h): open in a browser. The broker's page asks for the click
# (Acronis, launch_confirmation "click") or continues by itself (Flussonic, "auto"); only that
# POST redeems the link, so a mail scanner that fetches the URL spends nothing.
  Acronis:   ${acronisLaunch.url}
  Flussonic: ${flussonicLaunch.url}
# A link for the Watcher's admin is refused by the connection's policy: ${refusal}
# More: ${curl({ connection: 'flussonic-demo', user: { login: 'viewer@customer-a.example' }, delivery: 'launch' })}

`);

  // The auditor's side of what just happened: a tenant-bound auditor key lists the tenant's events
  // through the API, then the chain is verified straight from the database, as an auditor who
  // does not trust the running broker would (docs/audit.md#verify).
  const auditor = await admin.call<{ key: string }>('POST', '/v1/api-keys', {
    name: `demo auditor ${new Date().toISOString()}`,
    role: 'auditor',
    tenant_id: tenantId,
  });
  process.stdout.write(`\nThe auditor's view (an auditor key bound to the tenant, then the database itself):\n`);
  const cliEnv = { SSO_BROKER_URL: broker.url, SSO_BROKER_API_KEY: auditor.key, DATA_DIR: dataDir };
  runCli(['audit', 'list', '--tenant', tenantId, '--limit', '12'], cliEnv);
  const verified = runCli(['audit', 'verify', '--tenant', tenantId, '--data-dir', dataDir], cliEnv);
  process.stdout.write(
    `${verified === 0 ? '' : '\nThe audit chain did NOT verify (exit code above).\n'}\nCtrl-C stops everything; re-running reuses the tenant and its connections.\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
