export * from './uuid-param.pipe';
