/**
 * One active fault. Kinds combine: `latencyMs` delays the answer, then `reset` destroys the socket,
 * `garbage` answers 200 with a non-JSON body, `status` answers that status (with `retryAfter` as a
 * `Retry-After` header); with only `latencyMs` the request is then served normally.
 */
export interface FaultSpec {
  latencyMs?: number;
  status?: number;
  retryAfter?: number;
  garbage?: boolean;
  reset?: boolean;
  /** Exact request path; a trailing `*` makes it a prefix. Absent: every simulated endpoint. */
  path?: string;
  /** Apply this many times, then the fault clears itself. */
  times?: number;
  /** Chance in [0, 1] that a matching request is hit. */
  probability?: number;
}

export class FaultController {
  private active: FaultSpec | undefined;
  private remaining = Infinity;

  constructor(private readonly random: () => number = Math.random) {}

  set(spec: FaultSpec): void {
    this.active = validateFaultSpec(spec);
    this.remaining = spec.times ?? Infinity;
  }

  clear(): void {
    this.active = undefined;
  }

  current(): FaultSpec | undefined {
    return this.active;
  }

  /** The fault to apply to a request on `path`, counting it against `times`. */
  take(path: string): FaultSpec | undefined {
    const fault = this.active;
    if (!fault || !pathMatches(fault.path, path)) return undefined;
    if (fault.probability !== undefined && this.random() >= fault.probability) return undefined;
    this.remaining -= 1;
    if (this.remaining <= 0) this.active = undefined;
    return fault;
  }
}

function pathMatches(filter: string | undefined, path: string): boolean {
  if (filter === undefined) return true;
  return filter.endsWith('*') ? path.startsWith(filter.slice(0, -1)) : path === filter;
}

const KNOWN_KEYS = new Set(['latencyMs', 'status', 'retryAfter', 'garbage', 'reset', 'path', 'times', 'probability']);

export class InvalidFaultSpecError extends Error {}

/** Validates a fault coming from a test or over HTTP; throws `InvalidFaultSpecError`. */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidFaultSpecError('fault must be a JSON object');
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!KNOWN_KEYS.has(key)) throw new InvalidFaultSpecError(`unknown fault field "${key}"`);
  }
  checkNumber(spec, 'latencyMs', 0, 600_000);
  checkNumber(spec, 'status', 100, 599);
  checkNumber(spec, 'retryAfter', 0, 86_400);
  checkNumber(spec, 'times', 1, Number.MAX_SAFE_INTEGER);
  checkNumber(spec, 'probability', 0, 1);
  for (const key of ['garbage', 'reset'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'boolean') {
      throw new InvalidFaultSpecError(`"${key}" must be a boolean`);
    }
  }
  if (spec.path !== undefined && (typeof spec.path !== 'string' || !spec.path.startsWith('/'))) {
    throw new InvalidFaultSpecError('"path" must be a string starting with "/"');
  }
  const kinds = ['latencyMs', 'status', 'garbage', 'reset'].filter((k) => spec[k] !== undefined && spec[k] !== false);
  if (kinds.length === 0) throw new InvalidFaultSpecError('fault needs one of latencyMs, status, garbage, reset');
  return spec;
}

function checkNumber(spec: Record<string, unknown>, key: string, min: number, max: number): void {
  const value = spec[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidFaultSpecError(`"${key}" must be a number between ${min} and ${max}`);
  }
}
