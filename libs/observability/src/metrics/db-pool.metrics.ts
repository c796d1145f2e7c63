import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { LongReadPool, type PoolStats } from '@app/database';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const POOL_GAUGES: ReadonlyArray<{ suffix: string; help: string; read: (pool: PoolStats) => number }> = [
  { suffix: 'total_connections', help: 'Connections open in the %s.', read: (p) => p.totalCount },
  { suffix: 'idle_connections', help: 'Open connections of the %s not checked out.', read: (p) => p.idleCount },
  { suffix: 'waiting_clients', help: 'Callers queued for a connection of the %s.', read: (p) => p.waitingCount },
];

/**
 * Use of both database pools, read from their pg Pools at scrape time: `db_pool_*` for the app's
 * (behind TypeORM), `db_long_read_pool_*` for exports and verifications. The gauges are
 * re-registered by each app instance so that they always read this instance's pools.
 */
@Injectable()
export class DbPoolMetrics implements OnModuleInit, OnModuleDestroy {
  private gauges: Array<{ name: string; gauge: Gauge }> = [];

  constructor(
    private readonly dataSource: DataSource,
    // Absent where the observability module runs without the database module (its own specs).
    @Optional() private readonly longReads?: LongReadPool,
  ) {}

  onModuleInit(): void {
    const pools: Array<{ prefix: string; label: string; stats: () => PoolStats | undefined }> = [
      {
        prefix: 'db_pool',
        label: 'database pool',
        stats: () => (this.dataSource.driver as PostgresDriver).master as PoolStats | undefined,
      },
    ];
    const longReads = this.longReads;
    if (longReads) pools.push({ prefix: 'db_long_read_pool', label: 'long-read pool', stats: () => longReads.stats });
    this.gauges = pools.flatMap(({ prefix, label, stats }) =>
      POOL_GAUGES.map(({ suffix, help, read }) => {
        const name = `${prefix}_${suffix}`;
        register.removeSingleMetric(name);
        const gauge = new Gauge({
          name,
          help: help.replace('%s', label),
          collect() {
            const current = stats();
            if (current) this.set(read(current));
          },
        });
        return { name, gauge };
      }),
    );
  }

  onModuleDestroy(): void {
    for (const { name, gauge } of this.gauges) {
      if (register.getSingleMetric(name) === gauge) register.removeSingleMetric(name);
    }
  }
}
