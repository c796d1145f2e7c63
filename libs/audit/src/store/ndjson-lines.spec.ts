import { Readable } from 'node:stream';
import { TurnBudget } from '@app/common';
import { countTurns } from '../../../../test/utils/event-loop-turns';
import { NdjsonLines } from './ndjson-lines';

/** What the COPY statement writes for one event: head \x02 jsonb text \x02 tail, newline. */
const row = (metadata: string) => `{"id":"x","metadata":\x02${metadata}\x02,"hash":"h"}\n`;

async function run(chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(new NdjsonLines())) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('utf8');
}

describe('NdjsonLines', () => {
  it('writes the metadata exactly as JSON.stringify(JSON.parse(jsonb text)), split anywhere', async () => {
    const metadata = [
      '{}',
      '{"delivery": "direct"}',
      '{"a": [1.5, 1000000000000000000000, 0.0000001], "b": "user13"}',
      '{"2": null, "10": true, "a": "x"}',
      '{"s": "12", "t": "a: b, c", "u": "q\\"uote\\\\ \\u0001 é😀"}',
      '{"nested": {"z": {"y": []}, "": "empty key"}, "k": "", "l": "\\"\\""}',
    ];
    const text = metadata.map(row).join('');
    const expected = metadata
      .map((m) => `{"id":"x","metadata":${JSON.stringify(JSON.parse(m))},"hash":"h"}\n`)
      .join('');
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const chunks: Buffer[] = [];
      // Fresh copies: the transform rewrites the chunks it is given in place.
      for (let i = 0; i < bytes.length; i += size) chunks.push(Buffer.from(bytes.subarray(i, i + size)));
      expect(await run(chunks)).toBe(expected);
    }
  });

  it('hands a chunk on in the next event-loop turn once the turn has run past its budget', async () => {
    const counter = countTurns();
    const lines = new NdjsonLines(new TurnBudget(0));
    const turnsSeen: number[] = [];
    const out: Buffer[] = [];
    lines.on('data', (chunk: Buffer) => {
      turnsSeen.push(counter.turns);
      out.push(chunk);
    });
    const ended = new Promise((resolve) => lines.on('end', resolve));
    // Written in one go, as a socket's reads arrive: a plain transform rewrites them all in this turn.
    for (let i = 0; i < 10; i += 1) lines.write(Buffer.from(row(`{"i": ${i}}`)));
    lines.end();
    await ended;
    counter.stop();
    expect(Buffer.concat(out).toString('utf8').split('\n').filter(Boolean)).toHaveLength(10);
    expect(new Set(turnsSeen).size).toBeGreaterThanOrEqual(5);
  });

  it('refuses a row cut short', async () => {
    await expect(run([Buffer.from('{"id":"x","metadata":\x02{}')])).rejects.toThrow(/middle of a row/);
  });
});
