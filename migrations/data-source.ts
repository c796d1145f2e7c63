import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../libs/database/src/typeorm.options';

/** For the TypeORM CLI (`npm run migration:*`): the same options the broker uses. */
const url = process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL (or DATABASE_MIGRATION_URL) to run the TypeORM CLI.');

export default new DataSource({
  ...buildDataSourceOptions({ url, poolSize: 1, applicationName: 'sso-broker-cli' }),
  entities: [`${__dirname}/../libs/*/src/**/*.entity.js`],
});
