/**
 * Issue 6 for `sharded` through the real CLI: `crossbook replay --mode sharded --journal DIR` is
 * SIGKILLed at a random moment after its first output; then every shard's journal verifies, a
 * fresh single-mode replay of the shards' journaled commands gives, per symbol, the same books as
 * the recovered sharded engine, nothing printed before the kill is missing, and a second run
 * continues from the recovered state.
 *
 * The fresh replay runs each shard's journal on its own: shards own disjoint symbols, and a
 * command without a symbol (clock) is journaled by every shard, so per symbol this is exactly
 * the single-mode replay of that symbol's command order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exchange } from '../src/core/index.js';
import { CommandFormatter, scanJournal } from '../src/journal/index.js';
import { ShardRouter } from '../src/runtime/index.js';
import { SYMBOLS, commands } from './helpers/crash-workload.js';
import { runCliKilled, runCliSync as cli } from './replay-helpers.js';

const SHARDS = 3;
const root = mkdtempSync(join(tmpdir(), 'crossbook-sharded-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function inputFile(name: string, seed: number, count: number, prefix: string): string {
  const fmt = new CommandFormatter();
  const lines = commands(seed, count, prefix).map((c) => JSON.stringify(fmt.format(c)));
  const path = join(root, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const replayArgs = (dir: string): string[] => [
  'replay',
  '--mode',
  'sharded',
  '--shards',
  String(SHARDS),
  '--journal',
  dir,
];

/** Runs the sharded replay and SIGKILLs it `ms` after its first output line. */
const replayKilled = (dir: string, input: string, ms: number): Promise<string[]> =>
  runCliKilled([...replayArgs(dir), '--in', input], ms);

const snapshotLines =
  SYMBOLS.map((s) => JSON.stringify({ type: 'snapshot', symbol: s })).join('\n') + '\n';

/** `book` lines without their output seq, by symbol. */
function books(out: string): Record<string, unknown> {
  const by: Record<string, unknown> = {};
  for (const l of out.split('\n').filter((x) => x.includes('"type":"book"'))) {
    const { seq: _seq, ...rest } = JSON.parse(l) as Record<string, unknown>;
    by[rest.symbol as string] = rest;
  }
  return by;
}

const withoutSeq = (l: string): string => l.replace(/"seq":\d+,/, '');

describe('replay --mode sharded --journal killed at a random moment', () => {
  it(
    'recovers every shard exactly, equal per symbol to a single replay, and continues',
    {
      timeout: 170_000,
    },
    async () => {
      const router = new ShardRouter({ shards: SHARDS });
      // The workload must span shards, or this would test one journal only.
      expect(new Set(SYMBOLS.map((s) => router.shardOf(s))).size).toBeGreaterThan(1);
      const dir = join(root, 'journal');
      const inputs = [
        inputFile('in1.jsonl', 201, 30_000, 'a'),
        inputFile('in2.jsonl', 202, 30_000, 'b'),
      ];
      const before: number[] = new Array<number>(SHARDS).fill(0);
      const totals: number[] = [];
      const tradeIds = new Set<string>();
      for (let k = 0; k < 2; k++) {
        const printed = await replayKilled(dir, inputs[k], 100 + Math.random() * 1500);
        let freshOut = '';
        for (let i = 0; i < SHARDS; i++) {
          const shardDir = join(dir, `shard-${i}`);
          const verify = JSON.parse(cli(['journal', 'verify', shardDir, '--json'])) as {
            ok: boolean;
            lastSeq: number;
            stateHash: string;
          };
          expect(verify.ok).toBe(true);
          expect(verify.lastSeq).toBeGreaterThanOrEqual(before[i]);
          before[i] = verify.lastSeq;
          const ex = new Exchange();
          scanJournal({
            dir: shardDir,
            onRecord: (r) => r.kind === 'command' && ex.execute(r.command),
          });
          expect(verify.stateHash).toBe(ex.stateHash());
          freshOut += cli(['replay'], cli(['journal', 'dump', shardDir]) + snapshotLines);
        }
        // Every trade printed before the kill was journaled.
        const freshTrades = new Set(
          freshOut
            .split('\n')
            .filter((l) => l.includes('"type":"trade"'))
            .map(withoutSeq),
        );
        for (const l of printed.filter((x) => x.includes('"type":"trade"'))) {
          expect(freshTrades.has(withoutSeq(l))).toBe(true);
          // No trade id is printed twice, across the crash and the restart.
          const t = JSON.parse(l) as { symbol: string; tradeId: string };
          const id = `${t.symbol}/${t.tradeId}`;
          expect(tradeIds.has(id)).toBe(false);
          tradeIds.add(id);
        }
        // The recovered sharded engine's books equal the fresh single replay's, symbol by symbol.
        const recovered = books(cli(replayArgs(dir), snapshotLines));
        expect(Object.keys(recovered).sort()).toEqual([...SYMBOLS].sort());
        expect(recovered).toEqual(books(freshOut));
        totals.push(before.reduce((a, b) => a + b, 0));
      }
      // The second run continued: it journaled on top of the first run's records.
      expect(totals[0]).toBeGreaterThan(0);
      expect(totals[1]).toBeGreaterThan(totals[0]);
    },
  );

  it('refuses a journal directory written with another shard count', () => {
    const dir = join(root, 'other');
    cli(replayArgs(dir), snapshotLines);
    expect(() =>
      cli(['replay', '--mode', 'sharded', '--shards', '2', '--journal', dir], ''),
    ).toThrow(/written with 3 shard\(s\)/);
  });
});
