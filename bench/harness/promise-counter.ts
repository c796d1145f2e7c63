import { createHook } from 'node:async_hooks';
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Preloaded (`node --require`) into a benchmarked server by `npm run bench -- --count-promises`;
 * never part of the broker. Each SIGUSR2 toggles an async_hooks `init` hook that counts the
 * promises the process creates: the first starts counting, the next stops and writes
 * `<BENCH_PROMISE_COUNT>-r<n>.promises.json`. Unlike CPU time on a shared machine, the count is
 * the same from run to run for the same code, so it shows a change in the async work per request
 * that CPU figures cannot tell from noise. With the hook on, V8 also makes a promise for each
 * `await` (it skips that otherwise), so the count is promises and awaits together; it is for
 * comparing builds, and the hook's cost makes the run's other figures incomparable.
 */
const prefix = process.env.BENCH_PROMISE_COUNT;
if (prefix) {
  let promises = 0;
  let window = 0;
  let counting = false;
  const hook = createHook({
    init(_asyncId, type) {
      if (type === 'PROMISE') promises++;
    },
  });
  process.on('SIGUSR2', () => {
    if (!counting) {
      counting = true;
      promises = 0;
      hook.enable();
      return;
    }
    counting = false;
    hook.disable();
    const file = `${prefix}-r${++window}.promises.json`;
    // Written aside, then renamed: the bench waits for the name and must never read half a file.
    writeFileSync(`${file}.partial`, JSON.stringify({ promises }));
    renameSync(`${file}.partial`, file);
  });
}
