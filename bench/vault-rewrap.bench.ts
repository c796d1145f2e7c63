/**
 * Rewrap throughput against a real PostgreSQL: 10,000 secrets sealed under v1, then the
 * production job (VaultRewrapService.rewrapAll: locked batches of 500, one UPDATE per batch,
 * audit event) run by the real AppModule configured with `v2,v1`.
 * Run: npm run build && node dist/bench/vault-rewrap.bench.js
 * Uses BENCH_DATABASE_URL (a superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)
 * or else starts an embedded PostgreSQL; creates and drops its own database.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { AuditService } from '@app/audit';
import { validateEnvironment } from '@app/config';
import { EmbeddedPostgresServer, ensureRuntimeLogin, runMigrations } from '@app/database';
import { EnvelopeCipher, MasterKeyRing, VaultRewrapService } from '@app/vault';
import { AppModule } from '../apps/broker/src/app.module';

const SECRETS = Number(process.env.BENCH_SECRETS ?? 10_000);
const INSERT_BATCH = 1_000;

async function adminUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => undefined };
  const server = await EmbeddedPostgresServer.start({
    dataDir: mkdtempSync(join(tmpdir(), 'sso-broker-bench-pg-')),
    database: 'postgres',
    log: () => undefined,
  });
  return { url: server.url, stop: () => server.stop() };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function seed(owner: Client, v1: string): Promise<string> {
  const cipher = new EnvelopeCipher(MasterKeyRing.parse(v1));
  const [{ id: tenantId }] = (
    await owner.query(`INSERT INTO tenants (slug, name) VALUES ('bench', 'bench') RETURNING id`)
  ).rows;
  for (let start = 0; start < SECRETS; start += INSERT_BATCH) {
    const ids = Array.from({ length: Math.min(INSERT_BATCH, SECRETS - start) }, () => randomUUID());
    const sealed = ids.map((connectionId) =>
      cipher.seal(Buffer.from(JSON.stringify({ api_key: randomBytes(24).toString('base64') })), {
        tenantId,
        connectionId,
        secretVersion: 1,
        origin: 'http://watcher.example:80',
      }),
    );
    await owner.query(
      `INSERT INTO connections (id, tenant_id, name, provider, base_url)
       SELECT id, $1, 'c-' || id, 'flussonic', 'http://watcher.example' FROM unnest($2::uuid[]) AS id`,
      [tenantId, ids],
    );
    await owner.query(
      `INSERT INTO connection_secrets (connection_id, tenant_id, version, kind, aad_version, master_key_version, wrapped_key, ciphertext)
       SELECT id, $1, 1, 'api_key', 2, 'v1', wk, ct FROM unnest($2::uuid[], $3::bytea[], $4::bytea[]) AS u(id, wk, ct)`,
      [tenantId, ids, sealed.map((s) => s.wrappedKey), sealed.map((s) => s.ciphertext)],
    );
  }
  return tenantId;
}

async function main(): Promise<void> {
  const admin = await adminUrl();
  const name = `sso_bench_${randomBytes(6).toString('hex')}`;
  const control = new Client({ connectionString: admin.url });
  await control.connect();
  await control.query(`CREATE DATABASE ${name}`);
  const ownerUrl = withDatabase(admin.url, name);
  const owner = new Client({ connectionString: ownerUrl });
  try {
    await runMigrations(ownerUrl);
    const appUrl = await ensureRuntimeLogin(ownerUrl, 'sso_broker_bench', randomBytes(12).toString('hex'));
    await owner.connect();
    const v1 = MasterKeyRing.generateEntry('v1');
    await seed(owner, v1);

    const env = validateEnvironment({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: appUrl,
      BROKER_MASTER_KEYS: `${MasterKeyRing.generateEntry('v2')},${v1}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sso-broker-bench-')),
    });
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ env, database: { url: appUrl, poolSize: 4 } }),
      { logger: ['error'] },
    );
    try {
      const started = process.hrtime.bigint();
      const result = await app.get(VaultRewrapService).rewrapAll(AuditService.systemContext('vault-rewrap-bench'));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [{ n }] = (
        await owner.query(`SELECT count(*)::int AS n FROM connection_secrets WHERE master_key_version = 'v2'`)
      ).rows;
      if (result.rewrapped !== SECRETS || n !== SECRETS)
        throw new Error(`rewrap incomplete: ${JSON.stringify(result)}, ${n} rows under v2`);
      console.log(
        `rewrap  ${SECRETS} secrets in ${seconds.toFixed(2)} s = ${Math.round(SECRETS / seconds)} secrets/s (batches of 500, ${JSON.stringify(result)})`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await owner.end().catch(() => undefined);
    await control.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await control.end();
    await admin.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
