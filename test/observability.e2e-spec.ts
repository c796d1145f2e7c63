import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { validateEnvironment } from '@app/config';
import { createBrokerLogger } from '@app/observability';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The real AppModule and configureApp, logging at trace level into `capture`. */
async function startBroker(db: TestDatabase, capture: LogCapture) {
  const env = validateEnvironment({
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    DATABASE_URL: db.appUrl,
    BROKER_MASTER_KEYS: newMasterKeyEntry(),
    BROKER_BOOTSTRAP_ADMIN_KEY: newAdminKeyText(),
  });
  const logger = createBrokerLogger({ level: 'trace', destination: capture });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ env, database: { url: db.appUrl, poolSize: 4 }, logger })],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(env, logger), {
    bodyParser: false,
    logger: false,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return { app, adminKey: env.BROKER_BOOTSTRAP_ADMIN_KEY as string, http: app.getHttpServer() };
}

function sample(metrics: string, name: string, labels: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('observability: health, metrics, request ids, logs', () => {
  let db: TestDatabase;
  let broker: Awaited<ReturnType<typeof startBroker>>;
  const capture = new LogCapture();

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await startBroker(db, capture);
  });

  afterAll(async () => {
    await broker.app.close();
    await db.drop();
  });

  it('is live without touching the database', async () => {
    const res = await request(broker.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready on a reachable, migrated database', async () => {
    const res = await request(broker.http).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
  });

  it('is not ready (503, terminus body, request id) while a migration is pending', async () => {
    const [last] = await db.query<{ id: number; timestamp: string; name: string }>(
      'SELECT id, timestamp, name FROM schema_migrations ORDER BY id DESC LIMIT 1',
    );
    await db.query('DELETE FROM schema_migrations WHERE id = $1', [last.id]);
    try {
      const res = await request(broker.http).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({
        status: 'error',
        error: { migrations: { status: 'down', pending: [last.name] } },
      });
      expect(res.headers['x-request-id']).toMatch(UUID);
    } finally {
      await db.query('INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [
        last.id,
        last.timestamp,
        last.name,
      ]);
    }
  });

  it('counts requests under the route template, in Prometheus text', async () => {
    const tenantId = randomUUID();
    await request(broker.http)
      .get(`/v1/tenants/${tenantId}`)
      .set('Authorization', `Bearer ${broker.adminKey}`)
      .expect(404);
    await request(broker.http).get(`/v1/tenants/${tenantId}`).expect(401);

    const res = await request(broker.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'http_requests_total', 'method="GET",route="/v1/tenants/:tenant_id",status="404"')).toBe(1);
    expect(sample(res.text, 'http_requests_total', 'method="GET",route="/v1/tenants/:tenant_id",status="401"')).toBe(1);
    expect(res.text).toMatch(/^db_pool_total_connections \d+$/m);
    expect(res.text).not.toContain(tenantId);
  });

  it('echoes a sane X-Request-Id and generates one otherwise, on 404s and body errors too', async () => {
    const echoed = await request(broker.http).get('/health/live').set('X-Request-Id', 'portal-req.42');
    expect(echoed.headers['x-request-id']).toBe('portal-req.42');

    const generated = await request(broker.http).get('/no/such/route').expect(404);
    expect(generated.headers['x-request-id']).toMatch(UUID);
    expect(generated.body.request_id).toBe(generated.headers['x-request-id']);

    const replaced = await request(broker.http).get('/no/such/route').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(UUID);

    const malformed = await request(broker.http)
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${broker.adminKey}`)
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'malformed-body-1')
      .send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['x-request-id']).toBe('malformed-body-1');
  });

  it('never writes the API key, a secret field or a launch token to the log', async () => {
    await request(broker.http)
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${broker.adminKey}`)
      .send({ name: 'Observed', client_secret: 'CLIENT-SECRET-IN-BODY' });
    await request(broker.http).get('/l/LAUNCH-TOKEN-IN-PATH?x=LAUNCH-TOKEN-IN-QUERY');

    const text = capture.lines.join('');
    expect(capture.lines.length).toBeGreaterThan(5);
    expect(text).toContain('"authorization":"[Redacted]"');
    for (const secret of [broker.adminKey, 'CLIENT-SECRET-IN-BODY', 'LAUNCH-TOKEN-IN-PATH', 'LAUNCH-TOKEN-IN-QUERY']) {
      expect(text).not.toContain(secret);
    }
  });
});
