import { acronisOptionsFromEnv, describeAcronisSimulator, startAcronisSimulator } from '@app/acronis-simulator';
import { describeFlussonicSimulator, flussonicOptionsFromEnv, startFlussonicSimulator } from '@app/flussonic-simulator';

/** `npm run simulators`: both upstream simulators in one process (ports 4010 and 4020 by default). */
async function main(): Promise<void> {
  const acronisOptions = acronisOptionsFromEnv();
  const flussonicOptions = flussonicOptionsFromEnv();
  const acronis = await startAcronisSimulator(acronisOptions);
  const flussonic = await startFlussonicSimulator(flussonicOptions).catch(async (error: unknown) => {
    await acronis.close();
    throw error;
  });
  process.stdout.write(
    `${describeAcronisSimulator(acronis, acronisOptions)}\n\n${describeFlussonicSimulator(flussonic, flussonicOptions)}\n`,
  );
  process.stdout.write(
    '\nControl: POST|DELETE /_sim/faults, GET /_sim/counters, POST /_sim/reset, POST /_sim/clock on either port.\n',
  );
  const stop = (): void => void Promise.all([acronis.close(), flussonic.close()]).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulators failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
