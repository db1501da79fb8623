/**
 * The replay CLI as a user runs it: the real binary in a child process, golden scenarios whose
 * expected events were worked out by hand (test/fixtures/replay/NOTES.md gives the reasoning for
 * each), and the CLI's file / pipe / error behaviour.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, FIXTURES, parseLines, runCli } from './replay-helpers.js';

const goldens = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.jsonl') && !f.endsWith('.expected.jsonl'))
  .map((f) => f.slice(0, -'.jsonl'.length))
  .filter((name) => existsSync(join(FIXTURES, `${name}.expected.jsonl`)))
  .sort();

let tmp = '';
beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'crossbook-replay-'));
});
afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('replay golden scenarios', () => {
  it('has the scenarios this suite promises', () => {
    expect(goldens).toEqual(
      expect.arrayContaining([
        'cancel-duplicates',
        'fifo-walk',
        'fok-post-only',
        'opening-auction',
        'partial-ioc-market',
        'rejects',
        'replace-priority',
        'stops-icebergs',
        'stp-expiry-masscancel',
      ]),
    );
  });

  for (const name of goldens) {
    it(name, async () => {
      const res = await runCli(['replay', '--in', join(FIXTURES, `${name}.jsonl`)]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const got = parseLines(res.stdout);
      const want = parseLines(readFileSync(join(FIXTURES, `${name}.expected.jsonl`), 'utf8'));
      // Expected lines list the fields that matter; the output may carry more (documented extras).
      expect(got.length, JSON.stringify(got, null, 1)).toBe(want.length);
      want.forEach((w, i) => expect(got[i], `output line ${i + 1}`).toMatchObject(w));
      got.forEach((e, i) => expect(e.seq).toBe(i + 1));
    });
  }
});

describe('replay protocol details', () => {
  it('answers another account exactly like an unknown order', async () => {
    const res = await runCli(['replay', '--in', join(FIXTURES, 'cancel-duplicates.jsonl')]);
    const [otherAccount, unknown] = parseLines(res.stdout).slice(4, 6);
    const strip = (e: Record<string, unknown>) => ({
      ...e,
      seq: 0,
      orderId: 'ID',
      message: String(e.message).replace(String(e.orderId), 'ID'),
    });
    expect(strip(otherAccount)).toEqual(strip(unknown));
  });

  it('writes every price and quantity as a decimal string and every trade id as a string', async () => {
    for (const name of goldens) {
      const res = await runCli(['replay', '--in', join(FIXTURES, `${name}.jsonl`)]);
      for (const e of parseLines(res.stdout)) {
        for (const key of ['price', 'qty', 'remainingQty', 'tradeId']) {
          if (key in e && e[key] !== null)
            expect(typeof e[key], `${key} in ${JSON.stringify(e)}`).toBe('string');
        }
      }
    }
  });

  it('gives messages that are sentences naming the order', async () => {
    const res = await runCli(['replay', '--in', join(FIXTURES, 'rejects.jsonl')]);
    for (const e of parseLines(res.stdout).filter((x) => x.type === 'rejected')) {
      expect(typeof e.message).toBe('string');
      expect((e.message as string).length).toBeGreaterThan(10);
      if (typeof e.orderId === 'string' && e.reason !== 'malformed') {
        expect(e.message).toContain(e.orderId);
      }
    }
  });

  it('is deterministic: the same input gives byte-identical output', async () => {
    const file = join(FIXTURES, 'replace-priority.jsonl');
    const a = await runCli(['replay', '--in', file]);
    const b = await runCli(['replay', '--in', file]);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('replay input and output', () => {
  it('reads stdin and writes stdout by default, same as --in', async () => {
    const file = join(FIXTURES, 'fifo-walk.jsonl');
    const viaFile = await runCli(['replay', '--in', file]);
    const viaPipe = await runCli(['replay'], { input: readFileSync(file, 'utf8') });
    expect(viaPipe.code).toBe(0);
    expect(viaPipe.stdout).toBe(viaFile.stdout);
  });

  it('writes --out to a file and nothing to stdout', async () => {
    const out = join(tmp, 'events.jsonl');
    const res = await runCli(['replay', '--in', join(FIXTURES, 'fifo-walk.jsonl'), '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const events = parseLines(readFileSync(out, 'utf8'));
    expect(events).toHaveLength(11);
    expect(events[10]).toMatchObject({ seq: 11, type: 'book' });
  });

  it('accepts CRLF line endings, a last line without newline, and an empty input', async () => {
    const crlf =
      '{"type":"instrument","symbol":"X","tickSize":"1","lotSize":"1"}\r\n\r\n' +
      '{"type":"snapshot","symbol":"X"}';
    const res = await runCli(['replay'], { input: crlf });
    expect(parseLines(res.stdout)).toMatchObject([
      { seq: 1, type: 'instrument', symbol: 'X' },
      { seq: 2, type: 'book', symbol: 'X', bids: [], asks: [] },
    ]);
    const empty = await runCli(['replay'], { input: '' });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
  });

  it('fails clearly, before any output, on a missing input file or a bad option', async () => {
    const missing = await runCli(['replay', '--in', join(tmp, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/Cannot read .*nope\.jsonl/);
    const badMode = await runCli(['replay', '--mode', 'quantum'], { input: '' });
    expect(badMode.code).toBe(1);
    expect(badMode.stderr).toMatch(/Unknown mode "quantum"/);
  });
});
