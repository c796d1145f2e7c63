import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'broker', 'src', 'main.js');

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves once the output contains `text` (rejects if the process exits first or after `timeoutMs`). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
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
  const outputWaiters = new Set<() => void>();
  const onOutput = (c: Buffer) => {
    output += c.toString();
    for (const check of outputWaiters) check();
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const url = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForOutput = (text: string, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        outputWaiters.delete(check);
        clearTimeout(timer);
        child.off('close', onExit);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (output.includes(text)) settle();
      };
      const onExit = () => {
        if (!output.includes(text)) settle(new Error(`broker exited before printing "${text}":\n${output}`));
      };
      const timer = setTimeout(
        () => settle(new Error(`broker did not print "${text}" within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      outputWaiters.add(check);
      child.once('close', onExit); // after the output is drained, unlike 'exit'
      check();
    });
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
        waitForOutput,
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
