export * from './for-each-yielding';
export * from './turn-budget';
