import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcStat {
  /** utime + stime of the whole process (all threads), in ticks. */
  ticks: number;
  userTicks: number;
  systemTicks: number;
  /** Start time in ticks since boot. */
  startTicks: number;
}

function parseStat(stat: string): ProcStat & { comm: string } {
  // The fields after the parenthesised command name (which may hold spaces): utime and stime are
  // fields 14 and 15 of the line, starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ticks: Number(fields[11]) + Number(fields[12]),
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
    startTicks: Number(fields[19]),
  };
}

function procStat(pid: number): (ProcStat & { comm: string }) | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // exited
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** User and system ticks of a process, and its read and write syscalls (`/proc/<pid>/io`: readable for our own children). */
function kernelShare(pid: number): { userTicks: number; systemTicks: number; readCalls: number; writeCalls: number } {
  const stat = procStat(pid);
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(io)?.[1] ?? 0);
    return {
      userTicks: stat?.userTicks ?? 0,
      systemTicks: stat?.systemTicks ?? 0,
      readCalls: field('syscr'),
      writeCalls: field('syscw'),
    };
  } catch {
    return { userTicks: 0, systemTicks: 0, readCalls: 0, writeCalls: 0 };
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/** Context switches of a process's main thread (the event loop): it waited (voluntary) or was preempted (involuntary). */
function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: 0, involuntary: 0 };
  }
}

function uptimeTicks(): number {
  return Math.round(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * TICKS_PER_SECOND);
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Two groups, every process named `postgres` and the backends of one database, found from /proc
 * alone (no query that would itself load the server being measured). A backend is recognised by
 * its process title `postgres: [cluster: ]user database host(port) state`. One scan of /proc
 * (about 3 ms for 130 processes) serves both groups at each sample.
 */
export function postgresGroups(database: string): { all: CpuGroup; database: CpuGroup } {
  const titles = new Map<string, string>();
  let scannedAt = -Infinity;
  let found = { all: [] as number[], mine: [] as number[] };
  const scan = () => {
    if (performance.now() - scannedAt < 50) return found;
    const all: number[] = [];
    const mine: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const stat = procStat(pid);
      if (stat?.comm !== 'postgres') continue;
      all.push(pid);
      const id = `${pid}:${stat.startTicks}`;
      let title = titles.get(id);
      if (title === undefined) titles.set(id, (title = cmdlineOf(pid)));
      if (title.split(/\s+/).includes(database)) mine.push(pid);
    }
    scannedAt = performance.now();
    return (found = { all, mine });
  };
  return {
    all: { name: 'postgres-all', pids: () => scan().all },
    database: { name: 'postgres', pids: () => scan().mine },
  };
}

/** A set of processes whose CPU is summed: fixed pids, or pids found again at every sample. */
export interface CpuGroup {
  name: string;
  pids: () => number[];
}

export interface GroupUsage {
  /** CPU over the window in % of one core (200 = two cores busy). */
  cpuPercent: number;
  cpuSeconds: number;
  /** Processes seen during the window. */
  processes: number;
}

export interface MachineUsage {
  cores: number;
  /** All CPU used on the machine over the window, in % of one core. */
  busyPercent: number;
  loadBefore: number[];
  loadAfter: number[];
}

export interface CpuWindow {
  seconds: number;
  groups: Record<string, GroupUsage>;
  /** This process (the load generator), from process.cpuUsage(). */
  self: GroupUsage;
  machine: MachineUsage;
  /** RSS samples of the watched pid, MB. */
  rssMedianMb: number;
  rssMaxMb: number;
  /**
   * Context switches per second of the watched pid's main thread. Involuntary ones are
   * preemptions: on a saturated machine a process that wakes another (every loopback write does)
   * is often switched out, and a CPU profile then charges that wait to the syscall (writev).
   */
  voluntarySwitchesPerSecond: number;
  involuntarySwitchesPerSecond: number;
  /**
   * The watched pid's CPU split into user and kernel time, and its read and write syscalls over
   * the window: every loopback write runs the receiving side's TCP path in the writer's kernel
   * time, so the number of messages a request exchanges shows up here.
   */
  kernel: { userSeconds: number; systemSeconds: number; readCalls: number; writeCalls: number };
}

/**
 * CPU of groups of processes over a window, from /proc: each pid's utime+stime is read at the
 * start, every `intervalMs` and at the end; a pid that appears during the window counts from its
 * start (or from when first seen, if it started before the window); a pid that exits counts up to
 * its last sample. With 100 ticks a second, a 10 s window resolves 0.1% of a core.
 */
export class CpuMeter {
  private readonly first = new Map<string, Map<number, number>>();
  private readonly last = new Map<string, Map<number, number>>();
  private readonly rss: number[] = [];
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private startUptime = 0;
  private startSelf?: NodeJS.CpuUsage;
  private startMachine = { busy: 0, total: 0 };
  private loadBefore: number[] = [];
  private startSwitches = { voluntary: 0, involuntary: 0 };
  private startKernel = kernelShare(-1);

  constructor(
    private readonly groups: CpuGroup[],
    private readonly rssPid: number | undefined,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.loadBefore = loadavg();
    this.startedAt = performance.now();
    this.startUptime = uptimeTicks();
    this.startSelf = process.cpuUsage();
    this.startMachine = machineTicks();
    if (this.rssPid !== undefined) {
      this.startSwitches = contextSwitches(this.rssPid);
      this.startKernel = kernelShare(this.rssPid);
    }
    for (const group of this.groups) {
      this.first.set(group.name, new Map());
      this.last.set(group.name, new Map());
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): CpuWindow {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machine = machineTicks();
    const self = process.cpuUsage(this.startSelf);
    const groups: Record<string, GroupUsage> = {};
    for (const group of this.groups) {
      const first = this.first.get(group.name)!;
      const last = this.last.get(group.name)!;
      let ticks = 0;
      for (const [pid, start] of first) ticks += (last.get(pid) ?? start) - start;
      groups[group.name] = usage(ticks / TICKS_PER_SECOND, seconds, first.size);
    }
    const sorted = [...this.rss].sort((a, b) => a - b);
    const mb = (bytes: number) => round1(bytes / 1024 / 1024);
    const cores = cpus().length;
    const switches = this.rssPid === undefined ? this.startSwitches : contextSwitches(this.rssPid);
    const perSecond = (n: number) => Math.round(n / seconds);
    const totalTicks = machine.total - this.startMachine.total;
    const kernel = this.rssPid === undefined ? this.startKernel : kernelShare(this.rssPid);
    return {
      seconds: round1(seconds),
      groups,
      self: usage((self.user + self.system) / 1e6, seconds, 1),
      machine: {
        cores,
        busyPercent: totalTicks > 0 ? round1(((machine.busy - this.startMachine.busy) / totalTicks) * cores * 100) : 0,
        loadBefore: this.loadBefore.map(round2),
        loadAfter: loadavg().map(round2),
      },
      rssMedianMb: mb(sorted[Math.floor(sorted.length / 2)] ?? 0),
      rssMaxMb: mb(sorted[sorted.length - 1] ?? 0),
      voluntarySwitchesPerSecond: perSecond(switches.voluntary - this.startSwitches.voluntary),
      involuntarySwitchesPerSecond: perSecond(switches.involuntary - this.startSwitches.involuntary),
      kernel: {
        userSeconds: (kernel.userTicks - this.startKernel.userTicks) / TICKS_PER_SECOND,
        systemSeconds: (kernel.systemTicks - this.startKernel.systemTicks) / TICKS_PER_SECOND,
        readCalls: kernel.readCalls - this.startKernel.readCalls,
        writeCalls: kernel.writeCalls - this.startKernel.writeCalls,
      },
    };
  }

  private sample(): void {
    if (this.rssPid !== undefined) this.rss.push(rssBytes(this.rssPid));
    for (const group of this.groups) {
      const first = this.first.get(group.name)!;
      const last = this.last.get(group.name)!;
      for (const pid of group.pids()) {
        const stat = procStat(pid);
        if (!stat) continue;
        // Born inside the window: all its CPU is the window's. Otherwise from its first sighting.
        if (!first.has(pid)) first.set(pid, stat.startTicks >= this.startUptime ? 0 : stat.ticks);
        last.set(pid, stat.ticks);
      }
    }
  }
}

function usage(cpuSeconds: number, seconds: number, processes: number): GroupUsage {
  return {
    cpuPercent: round1((cpuSeconds / seconds) * 100),
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    processes,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
