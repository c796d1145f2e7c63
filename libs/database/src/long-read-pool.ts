import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { connectionSettings, type DatabaseConnectionOptions } from './typeorm.options';

/** Every connection for long reads is in use, and none came free within the wait. */
export class LongReadsBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`every long-read connection stayed in use for ${waitedMs} ms`);
    this.name = 'LongReadsBusyError';
  }
}

/** How long a long read waits in line for a connection before it is refused. */
export const LONG_READ_WAIT_MS = 5_000;

/** The counters node-postgres keeps on a pool (for the metrics). */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * Connections of their own for reads that last as long as their data: audit exports and chain
 * verifications. On the app's pool a few concurrent exports of a large history would hold its
 * connections for minutes while every link waited for one (docs/architecture.md#long-reads).
 * Here they wait for each other instead, up to LONG_READ_WAIT_MS, and are then refused
 * (LongReadsBusyError), never queued behind links or ahead of them.
 */
export class LongReadPool implements OnApplicationShutdown {
  private readonly logger = new Logger(LongReadPool.name);
  private readonly pool: Pool;

  constructor(options: DatabaseConnectionOptions, size: number, waitMs = LONG_READ_WAIT_MS) {
    this.pool = new Pool({
      ...connectionSettings({ ...options, applicationName: `${options.applicationName ?? 'sso-broker'}-long-read` }),
      connectionString: options.url,
      max: size,
      connectionTimeoutMillis: waitMs,
      // Connections are opened per export: none is kept for longer than a short burst needs.
      idleTimeoutMillis: 10_000,
    });
    // An idle connection the server ends (restart, failover) must not crash the process.
    this.pool.on('error', (error) => this.logger.warn(`idle long-read connection lost: ${error.message}`));
  }

  get stats(): PoolStats {
    return this.pool;
  }

  /** A connection for one long read; the caller releases it (with the error, if it failed). */
  async connect(): Promise<PoolClient> {
    const started = Date.now();
    try {
      return await this.pool.connect();
    } catch (error) {
      // pg-pool's words for a waiter that timed out in its queue (the pool was full); a
      // connection that could not be opened fails differently and stays a database error.
      if (error instanceof Error && error.message === 'timeout exceeded when trying to connect')
        throw new LongReadsBusyError(Date.now() - started);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
