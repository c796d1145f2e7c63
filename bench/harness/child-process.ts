import { ChildProcess, spawn } from 'node:child_process';

export interface RunningChild {
  child: ChildProcess;
  pid: number;
  url: string;
  /** performance.now() when it was spawned (≈ when a --cpu-prof profile of it begins). */
  spawnedAt: number;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `node <script>` and waits until `readyPath` on `port` answers 2xx. */
export async function startNodeProcess(
  script: string,
  env: Record<string, string>,
  options: {
    port: number;
    readyPath: string;
    nodeArgs?: string[];
    timeoutMs?: number;
    /** Every complete line the child writes to stdout or stderr (e.g. `--trace-gc` lines). */
    onLine?: (line: string) => void;
  },
): Promise<RunningChild> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const { onLine } = options;
  if (onLine) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}${options.readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      return {
        child,
        pid: child.pid!,
        url,
        spawnedAt,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} not ready within the timeout:\n${output}`);
}
