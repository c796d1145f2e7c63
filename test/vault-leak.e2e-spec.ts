import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request, { Response } from 'supertest';
import { startAcronisSimulator } from '@app/acronis-simulator';
import { validateEnvironment } from '@app/config';
import { startFlussonicSimulator } from '@app/flussonic-simulator';
import { createBrokerLogger } from '@app/observability';
import { VaultRewrapService } from '@app/vault';
import { AppModule } from '../apps/broker/src/app.module';
import { configureApp } from '../apps/broker/src/bootstrap/configure-app';
import { createHttpAdapter } from '../apps/broker/src/bootstrap/http-adapter';
import { newAdminKeyText, newMasterKeyEntry } from './utils/create-app';
import { createTestDatabase, TestDatabase } from './utils/test-database';

class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

const canary = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;

/** Every form a leaked secret could take: as is, base64 (both alphabets) and hex. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

describe('vault: no secret in the database, logs or API answers', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let url: string;
  const logs = new LogCapture();
  const answers: string[] = [];
  const stray: string[] = [];
  const adminKey = newAdminKeyText();
  const secrets = {
    clientSecret: canary('AcronisClientSecret'),
    rotatedClientSecret: canary('AcronisRotatedSecret'),
    bearerToken: canary('AcronisPastedBearer'),
    apiKey: canary('FlussonicApiKey'),
    rejectedSecret: canary('RejectedInputSecret'),
  };

  const call = async (req: request.Test): Promise<Response> => {
    const res = await req.set('Authorization', `Bearer ${adminKey}`);
    answers.push(JSON.stringify({ status: res.status, headers: res.headers, body: res.body, text: res.text }));
    return res;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = validateEnvironment({
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATABASE_URL: db.appUrl,
      BROKER_MASTER_KEYS: newMasterKeyEntry('v1'),
      BROKER_BOOTSTRAP_ADMIN_KEY: adminKey,
    });
    const logger = createBrokerLogger({ level: 'trace', destination: logs });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot({ env, database: { url: db.appUrl, poolSize: 4 }, logger })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(env, logger), {
      bodyParser: false,
    });
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest
        .spyOn(console, method)
        .mockImplementation((...args: unknown[]) => void stray.push(args.map(String).join(' ')));
    }
    jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (stray.push(String(chunk)), true));
    jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (stray.push(String(chunk)), true));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await app.close();
    await db.drop();
  });

  it('leaves no trace of distinctive secrets through create, read, rotate, check, rewrap and rejected input', async () => {
    const acronisTenant = randomUUID();
    const acronis = await startAcronisSimulator({
      tenants: [{ id: acronisTenant }],
      clients: [{ client_id: 'leak-client', client_secret: secrets.rotatedClientSecret, tenant_id: acronisTenant }],
      staticBearerTokens: [{ token: secrets.bearerToken, tenant_id: acronisTenant }],
    });
    const flussonic = await startFlussonicSimulator({ apiKey: secrets.apiKey });
    try {
      const tenant = await call(request(url).post('/v1/tenants').send({ name: 'Leak Scan' }));
      const tenantId: string =
        tenant.body.id ??
        (await db.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ('leak', 'leak') RETURNING id`))[0].id;
      const base = `/v1/tenants/${tenantId}/connections`;
      const acr = await call(
        request(url)
          .post(base)
          .send({
            name: 'acr',
            provider: 'acronis',
            base_url: acronis.url,
            credentials: { client_id: 'leak-client', client_secret: secrets.clientSecret },
          }),
      );
      const bearer = await call(
        request(url)
          .post(base)
          .send({
            name: 'bearer',
            provider: 'acronis',
            base_url: acronis.url,
            credentials: { bearer_token: secrets.bearerToken },
          }),
      );
      const flu = await call(
        request(url)
          .post(base)
          .send({
            name: 'flu',
            provider: 'flussonic',
            base_url: flussonic.url,
            credentials: { api_key: secrets.apiKey },
          }),
      );
      expect([acr.status, bearer.status, flu.status]).toEqual([201, 201, 201]);

      await call(request(url).get(base));
      await call(request(url).get(`${base}/${acr.body.id}`));
      await call(request(url).patch(`${base}/${acr.body.id}`).send({ name: 'acr-2' }));
      // The first check fails upstream (the simulator knows only the rotated secret), then rotation fixes it.
      expect((await call(request(url).post(`${base}/${acr.body.id}/check`))).body.ok).toBe(false);
      await call(
        request(url)
          .put(`${base}/${acr.body.id}/credentials`)
          .send({ client_id: 'leak-client', client_secret: secrets.rotatedClientSecret }),
      );
      expect((await call(request(url).post(`${base}/${acr.body.id}/check`))).body.ok).toBe(true);
      expect((await call(request(url).post(`${base}/${bearer.body.id}/check`))).body.ok).toBe(true);
      expect((await call(request(url).post(`${base}/${flu.body.id}/check`))).body.ok).toBe(true);

      const rejected = [
        {
          name: 'bearer',
          provider: 'acronis',
          base_url: acronis.url,
          credentials: { client_id: 'x', client_secret: secrets.rejectedSecret },
        },
        {
          name: 'bad1',
          provider: 'flussonic',
          base_url: flussonic.url,
          credentials: { client_id: 'x', client_secret: secrets.rejectedSecret },
        },
        {
          name: 'bad2',
          provider: 'acronis',
          base_url: acronis.url,
          credentials: { client_secret: secrets.rejectedSecret, bearer_token: secrets.rejectedSecret },
        },
        { name: 'bad3', provider: 'okta', base_url: acronis.url, credentials: { secret: secrets.rejectedSecret } },
        {
          name: 'bad4',
          provider: 'acronis',
          base_url: `https://u:${secrets.rejectedSecret}@example.com`,
          credentials: { bearer_token: secrets.rejectedSecret },
        },
        {
          name: 'bad5',
          provider: 'flussonic',
          base_url: flussonic.url,
          credentials: { api_key: secrets.rejectedSecret.repeat(30) },
        },
      ];
      for (const body of rejected)
        expect((await call(request(url).post(base).send(body))).status).toBeGreaterThanOrEqual(400);
      await call(
        request(url)
          .put(`${base}/${flu.body.id}/credentials`)
          .send({ api_key: secrets.rejectedSecret, extra: secrets.rejectedSecret }),
      );

      await app.get(VaultRewrapService).rewrapAll({ requestId: 'leak', ip: null, userAgent: null, principal: null });
    } finally {
      await acronis.close();
      await flussonic.close();
    }

    const tables = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['connections', 'connection_secrets', 'audit_events']),
    );
    const rows = (
      await Promise.all(tables.map((t) => db.query<{ row: string }>(`SELECT t::text AS row FROM "${t.name}" t`)))
    ).flat();
    expect(rows.length).toBeGreaterThan(5);
    // Pino lines once the observability module is wired; Nest's console logger and TypeORM write to stdout/console.
    expect(logs.lines.length + stray.length).toBeGreaterThan(0);

    const haystacks = {
      database: rows.map((r) => r.row).join('\n'),
      logs: logs.lines.join(''),
      stray: stray.join('\n'),
      answers: answers.join('\n'),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of Object.entries(secrets)) {
        for (const form of forms(secret)) {
          if (text.includes(form))
            throw new Error(`${name} appears in ${where} (as ${form === secret ? 'plaintext' : 'an encoding'})`);
        }
      }
    }
  });
});
