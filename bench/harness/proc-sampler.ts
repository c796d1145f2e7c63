import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcessUsage {
  /** Mean CPU over the window, in % of one core (200% = two cores busy). */
  cpuPercent: number;
  rssMedianMb: number;
  rssMaxMb: number;
}

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssBytes(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
}

/** Samples CPU time and RSS of one process from /proc while a load runs. */
export class ProcessSampler {
  private readonly rss: number[] = [];
  private timer?: NodeJS.Timeout;
  private startTicks = 0;
  private startedAt = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.startTicks = cpuTicks(this.pid);
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.rss.push(rssBytes(this.pid)), this.intervalMs);
  }

  stop(): ProcessUsage {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.startedAt) / 1000;
    const cpuSeconds = (cpuTicks(this.pid) - this.startTicks) / TICKS_PER_SECOND;
    const sorted = [...this.rss].sort((a, b) => a - b);
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    return {
      cpuPercent: Math.round((cpuSeconds / seconds) * 1000) / 10,
      rssMedianMb: mb(sorted[Math.floor(sorted.length / 2)] ?? 0),
      rssMaxMb: mb(sorted[sorted.length - 1] ?? 0),
    };
  }
}

/** RSS of a process right now, in MB (for soak curves). */
export function rssMb(pid: number): number {
  return Math.round((rssBytes(pid) / 1024 / 1024) * 10) / 10;
}
