export * from './request-context';
export * from './fetch-origin';
