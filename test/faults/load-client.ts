import { readdirSync } from 'node:fs';
import { Agent, request } from 'undici';

export interface LoadStats {
  statuses: Record<string, number>;
  /** ids of the links received (201 answers). */
  linkIds: string[];
  latenciesMs: number[];
  transportErrors: number;
  firstSuccessAfter(at: number): number | undefined;
}

/**
 * A closed-loop load client: `concurrency` workers each send POST /v1/login-links back to back
 * until stopped, recording every answer's status, latency and (for 201) the link id.
 */
export function startLinkLoad(url: string, portalKey: string, body: object, concurrency: number) {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const stats: LoadStats & { successTimes: number[] } = {
    statuses: {},
    linkIds: [],
    latenciesMs: [],
    transportErrors: 0,
    successTimes: [],
    firstSuccessAfter(at: number) {
      return this.successTimes.find((time) => time >= at);
    },
  };
  let running = true;
  const payload = JSON.stringify(body);
  const worker = async () => {
    while (running) {
      const started = Date.now();
      try {
        const answer = await request(`${url}/v1/login-links`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${portalKey}`, 'content-type': 'application/json' },
          body: payload,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        const text = await answer.body.text();
        stats.latenciesMs.push(Date.now() - started);
        stats.statuses[answer.statusCode] = (stats.statuses[answer.statusCode] ?? 0) + 1;
        if (answer.statusCode === 201) {
          stats.linkIds.push((JSON.parse(text) as { id: string }).id);
          stats.successTimes.push(Date.now());
        }
      } catch {
        stats.transportErrors++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      await agent.close();
    },
  };
}

export function openFileDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

export function openSockets(): number {
  return (process as unknown as { _getActiveHandles(): object[] })
    ._getActiveHandles()
    .filter((h) => h.constructor?.name === 'Socket').length;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
