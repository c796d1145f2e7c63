import type { Clock } from './clock';

/** A Clock for specs: it stands still until `advance` moves it (starting, by default, at the real time). */
export class ManualClock implements Clock {
  constructor(private current: number = Date.now()) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a finite, non-negative number');
    this.current += ms;
  }
}
