export * from './clock';
export * from './errors';
export * from './event-loop';
export * from './files';
export * from './http';
export * from './pagination';
export * from './tenancy';
export * from './validation';
