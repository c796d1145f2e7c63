import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { acronisOptionsFromEnv, startAcronisSimulator } from '@app/acronis-simulator';
import { flussonicOptionsFromEnv, startFlussonicSimulator } from '@app/flussonic-simulator';
import { AdminClient, ensureTenantWithConnections, startBrokerProcess } from '../scripts/demo';

/**
 * Login-link issuance against the simulators: the built broker in production mode on the
 * machine's PostgreSQL (a fresh database), autocannon with 50 connections for 20 s per provider.
 * CPU per link is the broker process's user+system time (/proc/<pid>/stat) over the run / links.
 */
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLOCK_TICKS_PER_S = 100;

function cpuMs(pid: number): number {
  // Fields 14 and 15 (utime, stime) in clock ticks; the command name (field 2) may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

async function main(): Promise<void> {
  const database = `links_bench_${randomBytes(4).toString('hex')}`;
  const server = new Client({ connectionString: SERVER_URL });
  await server.connect();
  await server.query(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;

  const acronis = await startAcronisSimulator({ ...acronisOptionsFromEnv({}), port: 0 });
  const flussonic = await startFlussonicSimulator({ ...flussonicOptionsFromEnv({}), port: 0 });
  const adminKey = `sbk_a_${randomBytes(32).toString('base64url')}`;
  const broker = await startBrokerProcess({
    NODE_ENV: 'production',
    PORT: String(40000 + Math.floor(Math.random() * 20000)),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    BROKER_MASTER_KEYS: `v1:${randomBytes(32).toString('base64')}`,
    BROKER_AUDIT_SIGNING_KEYS: `v1:${randomBytes(32).toString('base64')}`,
    BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
    // The simulators speak http on loopback: allowed explicitly, as for a LAN upstream.
    UPSTREAM_ALLOW_HTTP: 'true',
    UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8',
    RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_TENANT_PER_MINUTE: '10000000',
  });
  const pid = broker.child.pid as number;
  try {
    const admin = new AdminClient(broker.url, adminKey);
    const cases = [
      { provider: 'acronis', connection: 'acronis-demo', user: { login: 'alice@customer-a.example' } },
      { provider: 'flussonic', connection: 'flussonic-demo', user: { login: 'viewer@customer-a.example' } },
    ];
    process.stdout.write(
      `links bench: ${CONNECTIONS} connections, ${DURATION_S} s per provider, broker pid ${pid} (production mode, PostgreSQL ${database})\n`,
    );
    for (const [i, c] of cases.entries()) {
      const { portalKey } = await ensureTenantWithConnections(admin, `bench-${i}`, acronis.url, flussonic.url);
      const requests = [
        {
          method: 'POST',
          path: '/v1/login-links',
          headers: { authorization: `Bearer ${portalKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ connection: c.connection, user: c.user }),
        },
      ];
      await autocannon({ url: broker.url, requests, connections: 10, duration: 2 }); // warm-up: token cache, JIT, pools
      const latencies: number[] = [];
      const cpuBefore = cpuMs(pid);
      const run = autocannon({ url: broker.url, requests, connections: CONNECTIONS, duration: DURATION_S });
      run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
      const result = await run;
      const cpu = cpuMs(pid) - cpuBefore;
      const links = result['2xx'];
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1);
      process.stdout.write(
        `${c.provider.padEnd(10)} ${(links / DURATION_S).toFixed(0).padStart(6)} links/s  ` +
          `p50 ${pct(50)} ms  p99 ${pct(99)} ms  ` +
          `CPU ${(cpu / Math.max(links, 1)).toFixed(3)} ms/link  (${links} links, ${result.non2xx} non-2xx, ${result.errors} errors)\n`,
      );
    }
  } finally {
    await broker.stop();
    await Promise.all([acronis.close(), flussonic.close()]);
    await server.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await server.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`links bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
