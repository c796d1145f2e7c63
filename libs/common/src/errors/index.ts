export * from './broker.exception';
