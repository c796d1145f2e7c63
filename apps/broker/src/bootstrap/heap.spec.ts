import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKER_NODE_FLAGS, hasSemiSpaceCap } from './heap';

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
