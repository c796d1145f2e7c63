import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { MigrationsHealthIndicator } from './migrations.health';

/** Probes answer well inside the usual 2-5 s orchestrator timeouts even when the database hangs. */
const CHECK_TIMEOUT_MS = 1500;

export interface Readiness {
  ready: boolean;
  result: HealthCheckResult;
}

/** What readiness answers once the instance is shutting down, in terminus's result shape. */
const SHUTDOWN_CHECK = { shutdown: { status: 'down' as const, message: 'draining: the instance is shutting down' } };
const DRAINING: HealthCheckResult = { status: 'error', info: {}, error: SHUTDOWN_CHECK, details: SHUTDOWN_CHECK };

@Injectable()
export class HealthService {
  private draining = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
    private readonly dataSource: DataSource,
  ) {}

  /** The process answers: no dependency is consulted, so a database outage never restarts it. */
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * From now on readiness answers 503, so that a balancer stops routing here while in-flight
   * requests finish. Liveness is unaffected: a draining instance must not be restarted.
   */
  markDraining(): void {
    this.draining = true;
  }

  /** Database reachable and migrations applied, and not shutting down; terminus's result either way. */
  async ready(): Promise<Readiness> {
    if (this.draining) return { ready: false, result: DRAINING };
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('database', { connection: this.dataSource, timeout: CHECK_TIMEOUT_MS }),
        () => this.migrations.isUpToDate('migrations', CHECK_TIMEOUT_MS),
      ]);
      return { ready: true, result };
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        return { ready: false, result: error.getResponse() as HealthCheckResult };
      }
      throw error;
    }
  }
}
