import { openEmbeddedForOperator, type OperatorDatabase } from '@app/database';

export interface DatabaseTargetOptions {
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * The database a direct command works on: `--database-url`, else the owner URL the broker
 * migrates with (`DATABASE_MIGRATION_URL`), else `DATABASE_URL`, else the embedded cluster of
 * `--data-dir` / `DATA_DIR` / `./.data` (the README's default setup), found by itself.
 */
export async function openDatabaseTarget(
  options: DatabaseTargetOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<OperatorDatabase> {
  const url = options.databaseUrl ?? env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
  if (url) return { url, close: async () => undefined };
  return openEmbeddedForOperator(options.dataDir ?? env.DATA_DIR ?? './.data', log);
}
