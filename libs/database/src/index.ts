export * from './connect-retry';
export * from './database-errors';
export * from './database.module';
export * from './embedded';
export * from './migrate';
export * from './ports';
export * from './runtime-login';
export * from './typeorm.options';
