export * from './uuid-param.pipe';
export * from './body-fast-path';
