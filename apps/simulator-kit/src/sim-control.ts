import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController, InvalidFaultSpecError, validateFaultSpec } from './fault-controller';
import { parseJson, readBody, sendEmpty, sendJson } from './http-io';
import { SimClock } from './sim-clock';
import { RequestCounters, resetCounters } from './sim-counters';

export const CONTROL_PREFIX = '/_sim/';

export interface SimControlTarget {
  faults: FaultController;
  counters: RequestCounters;
  clock: SimClock;
}

/**
 * `/_sim/*`: lets a benchmark or demo in another process switch faults, read and reset counters
 * and move the clock. Never subject to faults and never counted.
 */
export async function handleControl(
  target: SimControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method} ${path.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case 'GET counters':
      return sendJson(res, 200, target.counters);
    case 'POST reset':
      resetCounters(target.counters);
      return sendEmpty(res, 204);
    case 'GET faults':
      return sendJson(res, 200, { fault: target.faults.current() ?? null });
    case 'DELETE faults':
      target.faults.clear();
      return sendEmpty(res, 204);
    case 'POST faults':
      return setFault(target, await readBody(req), res);
    case 'POST clock':
      return advanceClock(target, await readBody(req), res);
    default:
      return sendJson(res, 404, { error: `unknown control endpoint ${route}` });
  }
}

function setFault(target: SimControlTarget, body: string, res: ServerResponse): void {
  try {
    target.faults.set(validateFaultSpec(parseJson(body)));
    sendJson(res, 200, { fault: target.faults.current() });
  } catch (error) {
    if (!(error instanceof InvalidFaultSpecError)) throw error;
    sendJson(res, 400, { error: error.message });
  }
}

function advanceClock(target: SimControlTarget, body: string, res: ServerResponse): void {
  const parsed = parseJson(body) as { advanceMs?: unknown } | undefined;
  const ms = parsed?.advanceMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    return sendJson(res, 400, { error: '"advanceMs" must be a non-negative number' });
  }
  target.clock.advance(ms);
  sendJson(res, 200, { now: target.clock.now() });
}
