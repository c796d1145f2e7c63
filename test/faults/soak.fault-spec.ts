import { createTestApp, TestApp } from '../utils/create-app';
import { acronisTenant, UNLIMITED } from './fault-fixtures';
import { sleep, startLinkLoad } from './load-client';

/** 30 s in CI; the documented full soak is FAULT_SOAK_SECONDS=600 npm run test:faults. */
const SOAK_SECONDS = Number(process.env.FAULT_SOAK_SECONDS ?? 30);
const SAMPLE_MS = 2000;

describe(`soak (${SOAK_SECONDS} s) with 5% upstream failures`, () => {
  let t: TestApp;
  let fixture: Awaited<ReturnType<typeof acronisTenant>>;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...UNLIMITED, UPSTREAM_BREAKER_FAILURES: '1000' } });
    fixture = await acronisTenant(t);
  });
  afterAll(async () => {
    await fixture?.simulator.close();
    await t?.close();
  });

  it(
    'keeps RSS flat within ±10% and the error rate flat',
    async () => {
      fixture.simulator.faults.set({ status: 503, probability: 0.05, path: '/api/2/idp/ott' });
      const load = startLinkLoad(t.url, fixture.portalKey, fixture.body, 10);
      const samples: { rssMb: number; answers: number; errors: number }[] = [];
      const started = Date.now();
      while (Date.now() - started < SOAK_SECONDS * 1000) {
        await sleep(SAMPLE_MS); // the sampling period of a soak measured over wall-clock time
        const answers = Object.values(load.stats.statuses).reduce((a, b) => a + b, 0);
        // RSS after a full collection: what the process retains, not how lazily V8 collects.
        global.gc?.();
        samples.push({
          rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
          answers,
          errors: answers - (load.stats.statuses['201'] ?? 0),
        });
      }
      await load.stop();
      fixture.simulator.faults.clear();
      // The first quarter warms up (JIT, pools, caches); flatness is judged on the rest.
      const steady = samples.slice(Math.floor(samples.length / 4));
      const rss = steady.map((s) => s.rssMb).sort((a, b) => a - b);
      const medianRss = rss[Math.floor(rss.length / 2)];
      const half = Math.floor(steady.length / 2);
      const rate = (from: (typeof samples)[number], to: (typeof samples)[number]) =>
        (to.errors - from.errors) / Math.max(1, to.answers - from.answers);
      const firstHalfRate = rate(steady[0], steady[half]);
      const secondHalfRate = rate(steady[half], steady[steady.length - 1]);
      process.stdout.write(
        `soak: ${JSON.stringify({ seconds: SOAK_SECONDS, rssMb: samples.map((s) => s.rssMb), answers: samples.at(-1)?.answers, statuses: load.stats.statuses, firstHalfRate, secondHalfRate })}\n`,
      );
      expect(rss[0]).toBeGreaterThanOrEqual(medianRss * 0.9);
      expect(rss[rss.length - 1]).toBeLessThanOrEqual(medianRss * 1.1);
      expect(Math.abs(secondHalfRate - firstHalfRate)).toBeLessThan(0.05);
      expect(Object.keys(load.stats.statuses).filter((s) => !['201', '502', '503'].includes(s))).toEqual([]);
    },
    (SOAK_SECONDS + 60) * 1000,
  );
});
