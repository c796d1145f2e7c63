import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The counters node-postgres keeps on its `Pool`. */
interface PgPoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const POOL_GAUGES: ReadonlyArray<{ name: string; help: string; read: (pool: PgPoolStats) => number }> = [
  { name: 'db_pool_total_connections', help: 'Connections open in the database pool.', read: (p) => p.totalCount },
  { name: 'db_pool_idle_connections', help: 'Open pool connections not checked out.', read: (p) => p.idleCount },
  { name: 'db_pool_waiting_clients', help: 'Queries queued for a pool connection.', read: (p) => p.waitingCount },
];

/**
 * Database pool use, read from the pg Pool behind TypeORM at scrape time. The gauges are
 * re-registered by each app instance so that they always read this instance's pool.
 */
@Injectable()
export class DbPoolMetrics implements OnModuleInit, OnModuleDestroy {
  private gauges: Array<{ name: string; gauge: Gauge }> = [];

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const pool = () => (this.dataSource.driver as PostgresDriver).master as PgPoolStats | undefined;
    this.gauges = POOL_GAUGES.map(({ name, help, read }) => {
      register.removeSingleMetric(name);
      const gauge = new Gauge({
        name,
        help,
        collect() {
          const current = pool();
          if (current) this.set(read(current));
        },
      });
      return { name, gauge };
    });
  }

  onModuleDestroy(): void {
    for (const { name, gauge } of this.gauges) {
      if (register.getSingleMetric(name) === gauge) register.removeSingleMetric(name);
    }
  }
}
