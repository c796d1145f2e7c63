import { acronisOptionsFromEnv, describeAcronisSimulator } from './acronis-env';
import { startAcronisSimulator } from './acronis-simulator';

async function main(): Promise<void> {
  const options = acronisOptionsFromEnv();
  const sim = await startAcronisSimulator(options);
  process.stdout.write(`${describeAcronisSimulator(sim, options)}\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `acronis simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
