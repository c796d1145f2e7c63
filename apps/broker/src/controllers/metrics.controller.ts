import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { SkipRateLimit } from '@app/rate-limit';
import { MetricsService } from '@app/observability';

const SCRAPE_EXAMPLE = [
  '# HELP http_requests_total HTTP requests answered, by method, route template and status.',
  '# TYPE http_requests_total counter',
  'http_requests_total{method="GET",route="/v1/tenants/:tenant_id",status="200"} 12',
  '# HELP db_pool_total_connections Connections open in the database pool.',
  '# TYPE db_pool_total_connections gauge',
  'db_pool_total_connections 3',
].join('\n');

// Intentionally public (docs/api.md#operations): scrapers carry no API key; labels hold route templates, never ids
// or tokens.
@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description:
      'Requests by route template and status with latency histograms, use of the database pool and of the long-read pool (exports, verifications), upstream calls, process metrics.',
  })
  @ApiProduces('text/plain; version=0.0.4')
  @ApiOkResponse({
    description: 'Prometheus text exposition format.',
    content: { 'text/plain': { schema: { type: 'string', example: SCRAPE_EXAMPLE } } },
  })
  async scrape(@Res() res: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    await res.status(200).type(contentType).send(body);
  }
}
