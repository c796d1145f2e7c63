import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { applyHeapGrowth, applyPretenuring, BROKER_NODE_FLAGS, hasSemiSpaceCap } from './heap';

jest.mock('node:v8', () => ({ setFlagsFromString: jest.fn() }));

const ROOT = join(__dirname, '..', '..', '..', '..');
const MAIN = 'dist/apps/broker/src/main.js';

describe('the Node flags the broker is started with', () => {
  it('are on every production start command, before the entry point', () => {
    const dockerCmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    expect(JSON.parse(dockerCmd![1])).toEqual(['node', ...BROKER_NODE_FLAGS, MAIN]);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const name of ['start', 'start:prod']) {
      expect(scripts[name]).toContain(`node ${BROKER_NODE_FLAGS.join(' ')} ${MAIN}`);
    }
  });

  it('are V8 flags Node accepts in NODE_OPTIONS too', () => {
    for (const flag of BROKER_NODE_FLAGS)
      expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0])).toBe(true);
  });

  it('are recognised however they were given', () => {
    expect(hasSemiSpaceCap(['--max-semi-space-size=16'], undefined)).toBe(true);
    expect(hasSemiSpaceCap(['--max_semi_space_size=8'], undefined)).toBe(true);
    expect(hasSemiSpaceCap([], '--enable-source-maps --max-semi-space-size=32')).toBe(true);
    expect(hasSemiSpaceCap(['--max-semi-space-size', '16'], undefined)).toBe(true);
  });

  it('are missed when absent, whatever else was given', () => {
    expect(hasSemiSpaceCap([], undefined)).toBe(false);
    expect(hasSemiSpaceCap(['--max-old-space-size=512', '--cpu-prof'], '')).toBe(false);
    expect(hasSemiSpaceCap([], '--max-semi-space-sizes=16 --min-semi-space-size=4')).toBe(false);
  });
});

describe('the V8 flags the broker sets at start', () => {
  const setFlags = jest.mocked(setFlagsFromString);
  beforeEach(() => setFlags.mockClear());

  it('turns allocation-site pretenuring off by default, and leaves V8 alone when asked to keep it', () => {
    applyPretenuring(false);
    expect(setFlags.mock.calls).toEqual([['--no-allocation-site-pretenuring']]);
    setFlags.mockClear();
    applyPretenuring(true);
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('name flags this Node knows (setFlagsFromString ignores a misspelt one without a word)', () => {
    const accepts = (flag: string) => spawnSync(process.execPath, [flag, '-e', '0']).status === 0;
    applyPretenuring(false);
    applyHeapGrowth(50);
    for (const [flag] of setFlags.mock.calls) expect(accepts(flag)).toBe(true);
    expect(accepts('--no-allocation-site-pretenurin')).toBe(false);
  });

  it('bounds the old generation growth, unless 0 asks for V8 own heuristic', () => {
    applyHeapGrowth(50);
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=50']]);
    setFlags.mockClear();
    applyHeapGrowth(0);
    expect(setFlags).not.toHaveBeenCalled();
  });
});
