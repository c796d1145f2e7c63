import { SsoBrokerError } from '@sso-broker/client';
import Table from 'cli-table3';

/** Exit codes of every command (README, "CLI"). */
export const EXIT = {
  OK: 0,
  /** The command ran and the answer is negative: an API error, a broken audit chain. */
  FAILED: 1,
  /** Bad arguments or configuration (no key, no URL). */
  USAGE: 2,
  /** The broker or the database could not be reached, or the broker refused the API key (401). */
  UNREACHABLE: 3,
} as const;

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Result {
  human: string;
  json: unknown;
  exitCode?: number;
}

/** Where a command's answer goes: a table or text for people, or JSON (`--json`) for scripts. */
export class Output {
  json = false;

  constructor(
    private readonly out: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
    private readonly err: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
  ) {}

  /** Progress and hints: stderr, so that stdout stays the answer alone. */
  note(line: string): void {
    this.err(line);
  }

  done(result: Result): void {
    this.out(this.json ? JSON.stringify(result.json, null, 2) : result.human);
    if (result.exitCode !== undefined) process.exitCode = result.exitCode;
  }

  fail(error: unknown): number {
    if (error instanceof CliError) {
      this.err(`sso-broker: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof SsoBrokerError) {
      const fields = error.errors.map((e) => `\n  ${e.field}: ${e.message}`).join('');
      this.err(
        `sso-broker: ${error.message} (HTTP ${error.status}, request ${error.request_id ?? 'unknown'})${fields}`,
      );
      return error.status === 401 ? EXIT.UNREACHABLE : EXIT.FAILED;
    }
    // fetch wraps a refused connection in a TypeError whose cause carries the system code.
    const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
    const unreachable =
      typeof code === 'string' &&
      ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code);
    if (unreachable) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      this.err(`sso-broker: cannot reach the broker or the database: ${cause ?? (error as Error).message}`);
      return EXIT.UNREACHABLE;
    }
    this.err(`sso-broker: ${(error as Error)?.message ?? String(error)}`);
    return EXIT.FAILED;
  }
}

/** A plain table for people (no colours, so that it reads the same in a pipe or a log). */
export function table(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  // No rule between rows: one line per row reads (and greps) better.
  const out = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) out.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return rows.length === 0 ? '(none)' : out.toString();
}
