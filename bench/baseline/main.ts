/**
 * `node dist/bench/baseline/main.js` with DATABASE_URL, BROKER_MASTER_KEYS and PORT (and optionally
 * BASELINE_POOL_SIZE, RATE_LIMIT_PER_KEY_PER_MINUTE, RATE_LIMIT_PER_TENANT_PER_MINUTE);
 * BASELINE_VARIANT=v1 starts the frozen pre-issue-15 baseline instead (for an A/B of the two);
 * BASELINE_GROUP_COMMIT=false gives every link its own append statement (the tenth pass's yardstick before).
 * Each variant is loaded only when chosen, so neither carries the other's imports (RSS).
 */
async function main(): Promise<void> {
  const { DATABASE_URL, BROKER_MASTER_KEYS, PORT, BASELINE_VARIANT } = process.env;
  if (!DATABASE_URL || !BROKER_MASTER_KEYS || !PORT)
    throw new Error('DATABASE_URL, BROKER_MASTER_KEYS and PORT are required');
  const server =
    BASELINE_VARIANT === 'v1'
      ? new (await import('./v1/baseline-v1-server')).BaselineV1Server(DATABASE_URL, BROKER_MASTER_KEYS)
      : new (await import('./baseline-server')).BaselineServer(DATABASE_URL, BROKER_MASTER_KEYS, {
          poolSize: optionalNumber('BASELINE_POOL_SIZE'),
          keyLimitPerMinute: optionalNumber('RATE_LIMIT_PER_KEY_PER_MINUTE'),
          tenantLimitPerMinute: optionalNumber('RATE_LIMIT_PER_TENANT_PER_MINUTE'),
          groupCommit: process.env.BASELINE_GROUP_COMMIT !== 'false',
        });
  await server.listen(Number(PORT));
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function optionalNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline failed: ${(error as Error).message}\n`);
  process.exit(1);
});
