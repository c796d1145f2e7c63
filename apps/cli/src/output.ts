/** Exit codes of every command (README, "CLI"). */
export const EXIT = {
  OK: 0,
  /** The command ran and the answer is negative: an API error, a broken audit chain. */
  FAILED: 1,
  /** Bad arguments or configuration (no key, no URL). */
  USAGE: 2,
  /** The broker or the database could not be reached. */
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
    const code = (error as { code?: unknown })?.code;
    const unreachable =
      typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code);
    this.err(`sso-broker: ${(error as Error)?.message ?? String(error)}`);
    return unreachable ? EXIT.UNREACHABLE : EXIT.FAILED;
  }
}
