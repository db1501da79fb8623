import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineWriter, MAX_LINE_CHARS, readLineBatches } from './index.js';

async function collect(chunks: (string | Buffer)[]): Promise<[number, string | null][]> {
  const out: [number, string | null][] = [];
  for await (const b of readLineBatches(Readable.from(chunks))) {
    b.lines.forEach((l, i) => out.push([b.firstLine + i, l]));
  }
  return out;
}

describe('readLineBatches', () => {
  it('numbers lines from 1, keeps blank lines, strips CR and keeps a last line without newline', async () => {
    expect(await collect(['a\r\n\nb', 'c\n', 'd'])).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'bc'],
      [4, 'd'],
    ]);
  });

  it('joins a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('{"x":"€"}\n', 'utf8');
    expect(await collect([bytes.subarray(0, 7), bytes.subarray(7)])).toEqual([[1, '{"x":"€"}']]);
  });

  it('reports an over-long line as null without buffering it, and goes on', async () => {
    const big = 'x'.repeat(MAX_LINE_CHARS / 4);
    expect(await collect([big, big, big, big, big, '\nok\n'])).toEqual([
      [1, null],
      [2, 'ok'],
    ]);
  });
});

describe('LineWriter', () => {
  it('writes batched lines in order and waits for drain', async () => {
    const seen: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, cb) {
        seen.push(chunk.toString());
        setImmediate(cb);
      },
    });
    const w = new LineWriter(slow, 32);
    for (let i = 0; i < 100; i++) {
      w.push(`line ${i}`);
      if (w.full) await w.flush();
    }
    await w.close(true);
    const lines = seen.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
  });
});
