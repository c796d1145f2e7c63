import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions, DatabaseConnectionOptions } from './typeorm.options';

/** The app's connection pool. Entities register themselves with `TypeOrmModule.forFeature`. */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseConnectionOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...buildDataSourceOptions(options), autoLoadEntities: true })],
      exports: [TypeOrmModule],
    };
  }
}
