import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'broker', 'src', 'main.js');

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** ms from spawn to /health/ready answering 200 */
  readyAfterMs: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the built broker (`npm run build` output) as a real process, as a user would. */
export async function startBrokerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<BrokerProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) {
      return {
        child,
        url,
        output: () => output,
        readyAfterMs: Date.now() - started,
        stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`broker not ready within ${timeoutMs} ms:\n${output}`);
}
