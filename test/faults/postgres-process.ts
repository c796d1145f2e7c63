import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const EMBEDDED = join(__dirname, '..', '..', 'dist', 'libs', 'database', 'src', 'embedded');

/**
 * An embedded PostgreSQL of the test's own, supervised from a child process running the built
 * `@app/database` (npm run test:faults builds first): Jest's module sandbox cannot load the
 * binaries package (ESM), and a separate process is what a real restart looks like anyway.
 */
export class PostgresProcess {
  private constructor(
    private child: ChildProcess,
    readonly url: string,
    private readonly dataDir: string,
  ) {}

  static async start(dataDir: string): Promise<PostgresProcess> {
    const script = `
      const { EmbeddedPostgresServer } = require(${JSON.stringify(EMBEDDED)});
      EmbeddedPostgresServer.start({ dataDir: ${JSON.stringify(dataDir)}, database: 'postgres', log: () => undefined })
        .then((server) => {
          process.stdout.write('URL ' + server.url + '\\n');
          process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
        })
        .catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /URL (\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}: ${output}`)));
    });
    return new PostgresProcess(child, url, dataDir);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<PostgresProcess> {
    await this.stop();
    return PostgresProcess.start(this.dataDir);
  }
}
