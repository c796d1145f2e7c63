import { CanActivate, Controller, Get, Global, Module, Param, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { register } from 'prom-client';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { httpLoggingOptions, installHttpObservability } from './http/fastify-observability';
import { createBrokerLogger } from './logging/broker-logger';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsService } from './metrics/metrics.service';
import { ObservabilityModule } from './observability.module';
import { LogCapture } from './testing-log-capture';

const pool = { totalCount: 4, idleCount: 3, waitingCount: 1 };

@Global()
@Module({
  providers: [{ provide: DataSource, useValue: { driver: { master: pool }, migrations: [] } }],
  exports: [DataSource],
})
class FakeDatabaseModule {}

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Controller('v1/tenants')
class TenantsProbeController {
  @Get(':tenant_id')
  get(@Param('tenant_id') id: string) {
    return { id };
  }

  @Get(':tenant_id/secret')
  @UseGuards(DenyAll)
  guarded() {
    return { leaked: true };
  }
}

function sampleValue(text: string, metric: string, labels: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${metric}{${labels}}`) || (labels === '' && l.startsWith(`${metric} `)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('ObservabilityModule', () => {
  let app: NestFastifyApplication;
  let capture: LogCapture;

  beforeAll(async () => {
    register.resetMetrics();
    capture = new LogCapture();
    const logger = createBrokerLogger({ level: 'info', destination: capture });
    const moduleRef = await Test.createTestingModule({
      imports: [FakeDatabaseModule, ObservabilityModule.forRoot({ logLevel: 'info', logger })],
      controllers: [TenantsProbeController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(httpLoggingOptions(logger)), {
      logger: false,
    });
    installHttpObservability(app.getHttpAdapter().getInstance(), app.get(HttpMetrics));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => app.close());

  const scrape = async () => (await app.get(MetricsService).scrape()).body;

  it('labels requests with the route template, never the raw path, guard rejections included', async () => {
    const tenantId = 'c0a80121-7ac0-4e1c-9f5a-1b2c3d4e5f60';
    await request(app.getHttpServer()).get(`/v1/tenants/${tenantId}`).expect(200);
    await request(app.getHttpServer()).get(`/v1/tenants/${tenantId}/secret`).expect(403);

    const text = await scrape();
    expect(sampleValue(text, 'http_requests_total', 'method="GET",route="/v1/tenants/:tenant_id",status="200"')).toBe(
      1,
    );
    expect(
      sampleValue(text, 'http_requests_total', 'method="GET",route="/v1/tenants/:tenant_id/secret",status="403"'),
    ).toBe(1);
    expect(
      sampleValue(
        text,
        'http_request_duration_seconds_count',
        'method="GET",route="/v1/tenants/:tenant_id",status="200"',
      ),
    ).toBe(1);
    expect(text).not.toContain(tenantId);
  });

  it('counts each request once in http_requests_total, as the duration histogram does, however often it is scraped', async () => {
    const route = 'method="GET",route="/v1/tenants/:tenant_id",status="200"';
    const before = sampleValue(await scrape(), 'http_requests_total', route) ?? 0;
    for (let i = 0; i < 3; i++) await request(app.getHttpServer()).get('/v1/tenants/t1').expect(200);

    const first = await scrape();
    const second = await scrape();
    expect(sampleValue(first, 'http_requests_total', route)).toBe(before + 3);
    expect(sampleValue(second, 'http_requests_total', route)).toBe(before + 3);
    // Every series of the counter is a series of the histogram, with the same count.
    const counted = second.split('\n').filter((line) => line.startsWith('http_requests_total{'));
    expect(counted.length).toBeGreaterThan(1);
    for (const line of counted) {
      const labels = line.slice('http_requests_total{'.length, line.lastIndexOf('}'));
      expect(sampleValue(second, 'http_request_duration_seconds_count', labels)).toBe(Number(line.split(' ').pop()));
    }
    expect(second).toContain('# TYPE http_requests_total counter');
  });

  it('labels unmatched paths "unmatched", and still answers a request id', async () => {
    const res = await request(app.getHttpServer()).get('/l/LAUNCH-TOKEN-SHOULD-NOT-LEAK').expect(404);

    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const text = await scrape();
    expect(sampleValue(text, 'http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text).not.toContain('LAUNCH-TOKEN');
    expect(capture.text).not.toContain('LAUNCH-TOKEN');
  });

  it('echoes a sane X-Request-Id and logs the request under it, to the injected destination', async () => {
    const res = await request(app.getHttpServer())
      .get('/v1/tenants/t1')
      .set('X-Request-Id', 'portal-trace-7')
      .expect(200);

    expect(res.headers['x-request-id']).toBe('portal-trace-7');
    const line = capture.entries.find((e) => (e.req as { id?: string } | undefined)?.id === 'portal-trace-7');
    expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
  });

  it('reports the pg pool of the DataSource and process metrics', async () => {
    const text = await scrape();
    expect(sampleValue(text, 'db_pool_total_connections', '')).toBe(4);
    expect(sampleValue(text, 'db_pool_idle_connections', '')).toBe(3);
    expect(sampleValue(text, 'db_pool_waiting_clients', '')).toBe(1);
    expect(text).toContain('process_cpu_seconds_total');
    expect((await app.get(MetricsService).scrape()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
