/**
 * `replay --mode`: the asynchronous engines behind the same CLI. Sharded mode keeps each symbol's
 * command order at any in-flight window, so it must print what single mode prints; trade ids are
 * allocated per shard there, so they are compared apart. lockfree and racy match in-flight
 * commands concurrently and support a subset of order types: run sequentially (--window 1) on
 * plain limit / market / IOC scenarios they must agree with single mode too.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, FIXTURES, parseLines, runCli } from './replay-helpers.js';

beforeAll(assertBuilt);

const GOLDENS = [
  'cancel-duplicates',
  'fifo-walk',
  'fok-post-only',
  'opening-auction',
  'partial-ioc-market',
  'rejects',
  'replace-priority',
  'stops-icebergs',
  'stp-expiry-masscancel',
];

/** Output without trade ids and the `auction` flag (lockfree and racy do not run auctions). */
async function replayed(file: string, args: string[]) {
  const res = await runCli(['replay', '--in', join(FIXTURES, `${file}.jsonl`), ...args]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const events = parseLines(res.stdout);
  const tradeIds = events.filter((e) => e.type === 'trade').map((e) => e.tradeId as string);
  const rest = events.map(({ tradeId: _t, auction: _a, ...e }) => e);
  return { rest, tradeIds };
}

describe('replay --mode sharded', () => {
  for (const name of GOLDENS) {
    it(`prints what single mode prints: ${name}`, async () => {
      const single = await replayed(name, []);
      const sharded = await replayed(name, ['--mode', 'sharded', '--shards', '2']);
      expect(sharded.rest).toEqual(single.rest);
      // Trade ids count per symbol in the core, so sharding does not change them.
      expect(sharded.tradeIds).toEqual(single.tradeIds);
    });
  }
});

describe('replay --mode lockfree and racy, sequential', () => {
  for (const mode of ['lockfree', 'racy']) {
    for (const name of ['fifo-walk', 'partial-ioc-market']) {
      it(`${mode} agrees with single mode on ${name}`, async () => {
        const single = await replayed(name, []);
        const other = await replayed(name, ['--mode', mode, '--window', '1']);
        expect(other.rest).toEqual(single.rest);
      });
    }
  }

  it('rejects a bad --window', async () => {
    const res = await runCli(['replay', '--mode', 'sharded', '--window', '0'], { input: '' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/--window must be an integer/);
  });
});
