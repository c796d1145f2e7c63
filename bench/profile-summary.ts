import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { heapNodes, HeapProfileNodeTree, sampledBytes } from './harness/heap-profile';
import { markdown } from './harness/report';

/**
 * `npm run bench:profile -- <file.cpuprofile> [--top 25] [--from 12.3 --to 22.4]` (after
 * `npm run bench -- --cpu-prof`, which prints each run's window in seconds since the profile began;
 * `--callers writev` adds the call stacks under which a function spent its self time):
 * where a process's CPU went, without a browser. Self time by package (node_modules/<package>,
 * the project's own apps/libs/bench folders, node: internals, GC, idle, program) and the
 * functions with the most self time. Percentages are of the busy (non-idle) samples.
 *
 * `npm run bench:profile -- <file.heapprofile> [--per 4500] [--top 25] [--callers fn]` (after
 * `npm run bench -- --alloc-prof`, which prints each run's file and link count): the bytes a
 * server allocated during a run, collected objects included, by package and by function; `--per`
 * divides them by the run's links.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values: flags, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '25' },
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: 'Infinity' },
    callers: { type: 'string' },
    per: { type: 'string' },
  },
  allowPositionals: true,
});

/** Which bucket a frame's self time goes to. */
export function bucketOf(url: string, functionName: string): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: native, not attributed)';
  if (url === '') return `(native: ${functionName || 'anonymous'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  // node:internal/streams/writable → node:internal/streams; node:events stays itself.
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/((?:apps|libs|bench)\/[^/]+)/.exec(url);
  if (own) return own[1];
  return url;
}

function main(): void {
  process.stdout.on('error', () => process.exit(0)); // | head
  const file = positionals[0];
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [--top 25]');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | HeapProfileNodeTree;
  if (!('samples' in parsed) || !('timeDeltas' in parsed)) return summariseAllocation(file, parsed);
  const profile = parsed;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; sample i's cost is the delta that follows it.
  // --from/--to keep the samples of a window, in seconds since the profile started.
  const [fromUs, toUs] = [Number(flags.from) * 1e6, Number(flags.to) * 1e6];
  let at = 0;
  let firstUs = Infinity;
  let lastUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (at < fromUs || at > toUs) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
    firstUs = Math.min(firstUs, at);
    lastUs = Math.max(lastUs, at + delta);
  }
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const bucket = bucketOf(url, functionName);
    if (bucket === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const name = frameName({ functionName, url, lineNumber });
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const wallMs = (lastUs - firstUs) / 1000;
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  /** The first --top rows, the rest summed into one. */
  const top = (rows: [string, number][]): [string, number][] => {
    const n = Number(flags.top);
    if (rows.length <= n) return rows;
    const rest = rows.slice(n).reduce((sum, [, us]) => sum + us, 0);
    return [...rows.slice(0, n), [`(${rows.length - n} more)`, rest]];
  };
  process.stdout.write(
    `${file}\n${(wallMs / 1000).toFixed(1)} s profiled (${(firstUs / 1e6).toFixed(1)}–${(lastUs / 1e6).toFixed(1)} s), busy ${(busy / 1000).toFixed(0)} ms (${((busy / 1000 / wallMs) * 100).toFixed(0)}% of one core), idle ${(idle / 1000).toFixed(0)} ms\n\n`,
  );
  process.stdout.write(
    `${markdown([['self time by package', 'ms', '% of busy'], ...top(sorted(buckets)).map(([b, us]) => [b, (us / 1000).toFixed(0), pct(us)])])}\n\n`,
  );
  process.stdout.write(
    `${markdown([
      ['function (self time)', 'ms', '% of busy'],
      ...top(sorted(functions)).map(([f, us]) => [f, (us / 1000).toFixed(0), pct(us)]),
    ])}\n`,
  );
  if (flags.callers) {
    const stacks = new Map<string, number>();
    for (const [id, us] of selfUs) {
      if (byId.get(id)!.callFrame.functionName !== flags.callers) continue;
      const frames: string[] = [];
      for (let at = parents.get(id); at !== undefined && frames.length < 8; at = parents.get(at)) {
        frames.push(frameName(byId.get(at)!.callFrame));
      }
      const stack = frames.join(' < ');
      stacks.set(stack, (stacks.get(stack) ?? 0) + us);
    }
    process.stdout.write(
      `\n${markdown([
        [`${flags.callers} called from (innermost first)`, 'ms', '% of busy'],
        ...top(sorted(stacks)).map(([stack, us]) => [stack, (us / 1000).toFixed(0), pct(us)]),
      ])}\n`,
    );
  }
}

/** A frame as the tables name it: function, then its file (inside node_modules or dist) and line. */
function frameName({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  return `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`;
}

/** Self bytes by package and by function; `--per N` adds KB per link. */
function summariseAllocation(file: string, profile: HeapProfileNodeTree): void {
  const total = sampledBytes(profile);
  const per = flags.per === undefined ? undefined : Number(flags.per);
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  const stacks = new Map<string, number>();
  for (const { node, stack } of heapNodes(profile.head!)) {
    if (node.selfSize === 0) continue;
    const { functionName, url } = node.callFrame;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + node.selfSize);
    const name = frameName(node.callFrame);
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
    if (flags.callers && functionName === flags.callers) {
      const callers = stack
        .slice(-8)
        .reverse()
        .map((frame) => frameName(frame.callFrame))
        .join(' < ');
      stacks.set(callers, (stacks.get(callers) ?? 0) + node.selfSize);
    }
  }
  const kb = (bytes: number) => (bytes / 1024).toFixed(0);
  const header = per ? ['KB', 'KB per link', '%'] : ['KB', '%'];
  const row = (name: string, bytes: number) => [
    name,
    kb(bytes),
    ...(per ? [(bytes / 1024 / per).toFixed(2)] : []),
    `${((bytes / total) * 100).toFixed(1)}%`,
  ];
  const table = (title: string, rows: Map<string, number>) => {
    const sorted = [...rows].sort((a, b) => b[1] - a[1]);
    const n = Number(flags.top);
    const shown = sorted.slice(0, n).map(([name, bytes]) => row(name, bytes));
    if (sorted.length > n)
      shown.push(
        row(
          `(${sorted.length - n} more)`,
          sorted.slice(n).reduce((sum, [, bytes]) => sum + bytes, 0),
        ),
      );
    return `${markdown([[title, ...header], ...shown])}\n\n`;
  };
  process.stdout.write(
    `${file}\n${(total / 1024 / 1024).toFixed(1)} MB allocated (sampled, collected objects included)` +
      `${per ? `, ${(total / 1024 / per).toFixed(1)} KB per link over ${per} links` : ''}\n\n`,
  );
  process.stdout.write(table('allocated by package (self)', buckets));
  process.stdout.write(table('allocated by function (self)', functions));
  if (flags.callers) process.stdout.write(table(`${flags.callers} called from (innermost first)`, stacks));
}

main();
