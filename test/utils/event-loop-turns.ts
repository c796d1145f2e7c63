/** Keeps the CPU for `ms`, as hashing or signing a large batch does. */
export function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * Counts event-loop turns with a setImmediate that re-arms itself: work that never yields sees
 * the count stand still from its first step to its last.
 */
export function countTurns(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns += 1;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return turns;
    },
    stop: () => (ticking = false),
  };
}
