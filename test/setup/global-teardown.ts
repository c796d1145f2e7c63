import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const tally = process.env.SSO_TEST_OPENAPI_TALLY;
  if (tally) {
    let counts: number[] = [];
    try {
      counts = readFileSync(tally, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // No test file validated an answer.
    }
    const total = counts.reduce((sum, n) => sum + n, 0);
    process.stdout.write(`\nOpenAPI conformance: ${total} answers validated against the document's schemas\n`);
    rmSync(dirname(tally), { recursive: true, force: true });
  }
  await globalThis.__SSO_TEST_PG__?.stop();
}
