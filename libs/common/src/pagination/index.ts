export * from './cursor';
export * from './page';
export * from './page-query.dto';
