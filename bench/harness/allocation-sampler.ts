import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded (`node --require`) into a benchmarked server by `npm run bench -- --alloc-prof`; never
 * part of the broker. Each SIGUSR2 toggles V8's sampling heap profiler: the first starts it, the
 * next stops it and writes `<BENCH_ALLOC_PROFILE>-r<n>.heapprofile`, so the bench samples exactly
 * each run's window. Unlike Node's `--heap-prof` (which keeps only what is still alive at the
 * end), it counts the objects GC collected as well: the garbage GC time is spent on. With
 * BENCH_ALLOC_PROMOTED_ONLY (`--alloc-promoted`) it leaves out what scavenges reclaimed: what remains
 * reached the old generation (promoted, or born there by V8's pretenuring), where full collections pay for it.
 */
const prefix = process.env.BENCH_ALLOC_PROFILE;
const promotedOnly = process.env.BENCH_ALLOC_PROMOTED_ONLY === '1';
if (prefix) {
  const session = new Session();
  session.connect();
  let sampling = false;
  let window = 0;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: !promotedOnly,
      });
      return;
    }
    sampling = false;
    const file = `${prefix}-r${++window}.heapprofile`;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      // Written aside, then renamed: the bench waits for the name and must never read half a file.
      writeFileSync(`${file}.partial`, JSON.stringify(error ? { error: error.message } : result.profile));
      renameSync(`${file}.partial`, file);
    });
  });
}
