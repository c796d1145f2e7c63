export * from './private-key-file';
