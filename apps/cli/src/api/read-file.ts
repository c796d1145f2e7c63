import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError, EXIT } from '../output';

/** A JSON or YAML object from a file (`-` for stdin); YAML is a superset of JSON, so one parser reads both. */
export function readObjectFile(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (error) {
    throw new CliError(EXIT.USAGE, `cannot read ${path}: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(EXIT.USAGE, `${path} must hold one object`);
  }
  return value as Record<string, unknown>;
}

/** `--set key=value` pairs as an object; a value that reads as JSON (numbers, true, arrays) is taken as such. */
export function pairs(values: string[] | undefined, flag: string): Record<string, unknown> | undefined {
  if (!values?.length) return undefined;
  return Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new CliError(EXIT.USAGE, `${flag} takes key=value, not ${pair}`);
      const raw = pair.slice(at + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // A plain string.
      }
      return [pair.slice(0, at), value];
    }),
  );
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
