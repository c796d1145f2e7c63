import { Injectable, Logger, LoggerService } from '@nestjs/common';

/**
 * Terminus reports a failed check through `error()`. An unready dependency is an operational
 * condition, not a crash: it is logged as one warning line, without a stack trace.
 */
@Injectable()
export class HealthCheckLogger implements LoggerService {
  private readonly logger = new Logger('HealthCheck');

  log(message: unknown): void {
    this.logger.log(message);
  }

  error(message: unknown): void {
    this.logger.warn(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }
}
