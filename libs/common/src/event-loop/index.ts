export * from './for-each-yielding';
