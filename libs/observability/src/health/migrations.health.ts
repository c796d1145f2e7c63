import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { TimeoutError, withTimeout } from './with-timeout';

/**
 * Up when every migration this build ships is recorded as applied. The migrations table is read
 * directly: TypeORM's own helper treats a table the role may not see as "nothing applied".
 */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isUpToDate<Key extends string>(key: Key, timeoutMs: number): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      const applied = new Set(await withTimeout(this.appliedMigrationNames(), timeoutMs));
      const pending = this.dataSource.migrations
        .map((m) => m.name ?? m.constructor.name)
        .filter((name) => !applied.has(name));
      if (pending.length > 0) return indicator.down({ pending });
      return indicator.up({ applied: this.dataSource.migrations.length });
    } catch (error) {
      // Driver messages can name hosts and roles; this answer is public, so it stays generic.
      return indicator.down(error instanceof TimeoutError ? error.message : 'migration state unreadable');
    }
  }

  private async appliedMigrationNames(): Promise<string[]> {
    const { driver, options } = this.dataSource;
    const schema = (options as { schema?: string }).schema;
    const table = [schema, options.migrationsTableName ?? 'migrations']
      .filter((part): part is string => !!part)
      .map((part) => driver.escape(part))
      .join('.');
    const rows: Array<{ name: string }> = await this.dataSource.query(`SELECT name FROM ${table}`);
    return rows.map((row) => row.name);
  }
}
