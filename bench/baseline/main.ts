import { BaselineServer } from './baseline-server';

/** `node dist/bench/baseline/main.js` with DATABASE_URL, BROKER_MASTER_KEYS and PORT. */
async function main(): Promise<void> {
  const { DATABASE_URL, BROKER_MASTER_KEYS, PORT } = process.env;
  if (!DATABASE_URL || !BROKER_MASTER_KEYS || !PORT)
    throw new Error('DATABASE_URL, BROKER_MASTER_KEYS and PORT are required');
  const server = new BaselineServer(DATABASE_URL, BROKER_MASTER_KEYS);
  await server.listen(Number(PORT));
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline failed: ${(error as Error).message}\n`);
  process.exit(1);
});
