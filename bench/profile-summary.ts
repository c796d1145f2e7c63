import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdown } from './harness/report';

/**
 * `npm run bench:profile -- <file.cpuprofile> [--top 25]` (after `npm run bench -- --cpu-prof`):
 * where a process's CPU went, without a browser. Self time by package (node_modules/<package>,
 * the project's own apps/libs/bench folders, node: internals, GC, idle, program) and the
 * functions with the most self time. Percentages are of the busy (non-idle) samples.
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
  options: { top: { type: 'string', default: '25' } },
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
  if (url.startsWith('node:'))
    return `node:${url
      .slice(5)
      .split('/')[0]
      .replace(/^internal$/, 'internal')}`;
  const own = /\/dist\/((?:apps|libs|bench)\/[^/]+)/.exec(url);
  if (own) return own[1];
  return url;
}

function main(): void {
  const file = positionals[0];
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [--top 25]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; sample i's cost is the delta that follows it.
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
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
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  process.stdout.write(
    `${file}\n${(wallMs / 1000).toFixed(1)} s profiled, busy ${(busy / 1000).toFixed(0)} ms (${((busy / 1000 / wallMs) * 100).toFixed(0)}% of one core), idle ${(idle / 1000).toFixed(0)} ms\n\n`,
  );
  process.stdout.write(
    `${markdown([['self time by package', 'ms', '% of busy'], ...sorted(buckets).map(([b, us]) => [b, (us / 1000).toFixed(0), pct(us)])])}\n\n`,
  );
  process.stdout.write(
    `${markdown([
      ['function (self time)', 'ms', '% of busy'],
      ...sorted(functions)
        .slice(0, Number(flags.top))
        .map(([f, us]) => [f, (us / 1000).toFixed(0), pct(us)]),
    ])}\n`,
  );
}

main();
