import { describeFlussonicSimulator, flussonicOptionsFromEnv } from './flussonic-env';
import { startFlussonicSimulator } from './flussonic-simulator';

async function main(): Promise<void> {
  const options = flussonicOptionsFromEnv();
  const sim = await startFlussonicSimulator(options);
  process.stdout.write(`${describeFlussonicSimulator(sim, options)}\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `flussonic simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
