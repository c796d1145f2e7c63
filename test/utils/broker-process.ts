import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BROKER_NODE_FLAGS } from '../../apps/broker/src/bootstrap/heap';

const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'broker', 'src', 'main.js');

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** ms from spawn to /health/ready answering 200 */
  readyAfterMs: number;
  /** Resolves once the output contains `text` (or `text(output)` holds); see SpawnedBroker. */
  waitForOutput(text: string | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A spawned broker that may not be ready yet (or may never be). */
export interface SpawnedBroker {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves once the output contains `text` (or `text(output)` holds); rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(text: string | ((output: string) => boolean), timeoutMs?: number): Promise<void>;
  /** Polls /health/ready until 200 (then resolves with the BrokerProcess), the process exits, or the timeout. */
  ready(timeoutMs?: number): Promise<BrokerProcess>;
}

/**
 * Spawns the built broker (`npm run build` output) with exactly `env` (plus PATH), as a user would.
 * The child runs on the same Node binary as the test (process.execPath), so a suite run under
 * another Node version tests the broker under that version too; with the Node flags production
 * starts it with, unless `nodeFlags` says otherwise.
 */
export function spawnBrokerProcess(
  env: Record<string, string>,
  nodeFlags: readonly string[] = BROKER_NODE_FLAGS,
): SpawnedBroker {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeFlags, MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${env.PORT}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Let 'exit' wait for the last output: the pipes may still hold a final line.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const waitForOutput = (text: string | ((output: string) => boolean), timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const predicate = typeof text === 'string' ? (out: string) => out.includes(text) : text;
      const check = () => {
        if (!predicate(output)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`broker output did not match within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const onClose = () => {
        done();
        if (predicate(output)) resolve();
        else reject(new Error(`broker exited with ${child.exitCode} before its output matched:\n${output}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('close', onClose);
      };
      listeners.add(check);
      child.once('close', onClose);
      check();
    });

  const ready = async (timeoutMs = 60_000): Promise<BrokerProcess> => {
    while (Date.now() - started < timeoutMs) {
      if (child.exitCode !== null) {
        await closed;
        throw new Error(`broker exited with ${child.exitCode}:\n${output}`);
      }
      const isReady = await fetch(`${url}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (isReady) {
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
  };

  const exitedWithOutput = Promise.all([exited, closed]).then(([code]) => code);
  return { child, url, output: () => output, exited: exitedWithOutput, waitForOutput, ready };
}

/** Runs the built broker (`npm run build` output) as a real process, as a user would. */
export async function startBrokerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  nodeFlags: readonly string[] = BROKER_NODE_FLAGS,
): Promise<BrokerProcess> {
  return spawnBrokerProcess(env, nodeFlags).ready(timeoutMs);
}
