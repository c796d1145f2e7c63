export * from './embedded-postgres.server';
export * from './operator-access';
