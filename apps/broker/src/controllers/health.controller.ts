import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { SkipRateLimit } from '@app/rate-limit';
import { HealthService } from '@app/observability';

const READY_EXAMPLE = {
  status: 'ok',
  info: { database: { status: 'up' }, migrations: { status: 'up', applied: 8 } },
  error: {},
  details: { database: { status: 'up' }, migrations: { status: 'up', applied: 8 } },
};

const NOT_READY_EXAMPLE = {
  status: 'error',
  info: {},
  error: {
    database: { status: 'down', message: 'timeout of 1500ms exceeded' },
    migrations: { status: 'down', message: 'timeout of 1500ms exceeded' },
  },
  details: {
    database: { status: 'down', message: 'timeout of 1500ms exceeded' },
    migrations: { status: 'down', message: 'timeout of 1500ms exceeded' },
  },
};

// Intentionally public: orchestrator probes carry no API key, and the answers hold no tenant data.
@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness',
    description:
      'The process answers. Never consults the database, so a database outage does not get the broker restarted.',
  })
  @ApiOkResponse({ description: 'The process is up.', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness',
    description:
      'Ready when the database answers within 1.5 s, every migration shipped with this build is applied, and the instance is not shutting down (from SIGTERM on it answers 503 with a `shutdown` check while it finishes in-flight requests).',
  })
  @ApiOkResponse({ description: 'Ready to serve traffic.', schema: { example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({
    description: 'Not ready; `error` names the failing checks.',
    schema: { example: NOT_READY_EXAMPLE },
  })
  async ready(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.health.ready();
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }
}
