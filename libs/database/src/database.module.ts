import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LongReadPool } from './long-read-pool';
import { buildDataSourceOptions, DatabaseConnectionOptions } from './typeorm.options';

/** Connections for long reads when the caller names none (the default of DATABASE_LONG_READ_POOL_SIZE too). */
const DEFAULT_LONG_READ_POOL_SIZE = 2;

/**
 * The app's connection pool and the long-read pool beside it. Global, like TypeORM's own root
 * module: stores inject either without importing this module. Entities register themselves
 * with `TypeOrmModule.forFeature`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseConnectionOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot({ ...buildDataSourceOptions(options), autoLoadEntities: true })],
      providers: [
        {
          provide: LongReadPool,
          useFactory: () => new LongReadPool(options, options.longReadPoolSize ?? DEFAULT_LONG_READ_POOL_SIZE),
        },
      ],
      exports: [TypeOrmModule, LongReadPool],
    };
  }
}
