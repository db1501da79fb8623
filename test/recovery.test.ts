/**
 * The acceptance flow of DESIGN.md §6 through the real CLI: `crossbook replay --journal DIR` is
 * killed at random moments on a large input; then `journal verify` and the recovered books (via
 * `replay --journal DIR` fed only `snapshot` lines) must equal a fresh replay of the journaled
 * prefix (`journal dump`), and every event line printed before the kill must be journaled.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exchange } from '../src/core/index.js';
import { CommandFormatter, scanJournal } from '../src/journal/index.js';
import { SYMBOLS, commands } from './helpers/crash-workload.js';
import { runCliKilled, runCliSync as cli } from './replay-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'crossbook-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function inputFile(name: string, seed: number, count: number, prefix: string): string {
  const fmt = new CommandFormatter();
  const lines = commands(seed, count, prefix).map((c) => JSON.stringify(fmt.format(c)));
  const path = join(root, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Runs replay --journal and SIGKILLs it `ms` after its first output; resolves with what it printed. */
const replayKilled = (dir: string, input: string, ms: number): Promise<string[]> =>
  runCliKilled(['replay', '--journal', dir, '--in', input], ms);

const snapshotLines =
  SYMBOLS.map((s) => JSON.stringify({ type: 'snapshot', symbol: s })).join('\n') + '\n';
const books = (out: string): unknown[] =>
  out
    .split('\n')
    .filter((l) => l.includes('"type":"book"'))
    .map((l) => {
      const { seq: _seq, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });

describe('replay --journal killed at random moments', () => {
  it(
    'recovers exactly the journaled prefix, and continues from it',
    { timeout: 110_000 },
    async () => {
      const dir = join(root, 'journal');
      const inputs = [
        inputFile('in1.jsonl', 101, 40_000, 'a'),
        inputFile('in2.jsonl', 102, 40_000, 'b'),
      ];
      let before = 0;
      for (let k = 0; k < 2; k++) {
        const printed = await replayKilled(
          dir,
          inputs[Math.min(k, 1)],
          1200 + Math.random() * 1500,
        );
        const verify = JSON.parse(cli(['journal', 'verify', dir, '--json'])) as Record<
          string,
          unknown
        >;
        expect(verify.ok).toBe(true);
        const lastSeq = verify.lastSeq as number;
        expect(lastSeq).toBeGreaterThanOrEqual(before);
        before = lastSeq;
        // Fresh, in-process replay of the journaled prefix gives the same hash.
        const ex = new Exchange();
        scanJournal({ dir, onRecord: (r) => r.kind === 'command' && ex.execute(r.command) });
        expect(verify.stateHash).toBe(ex.stateHash());
        // Nothing printed before the kill is missing: every trade printed is in the fresh prefix.
        const freshOut = cli(['replay'], cli(['journal', 'dump', dir]) + snapshotLines);
        const freshTrades = new Set(
          freshOut
            .split('\n')
            .filter((l) => l.includes('"type":"trade"'))
            .map((l) => l.replace(/"seq":\d+,/, '')),
        );
        for (const l of printed.filter((x) => x.includes('"type":"trade"'))) {
          expect(freshTrades.has(l.replace(/"seq":\d+,/, ''))).toBe(true);
        }
        // Recovered books == books of the fresh replay of the prefix.
        const recoveredOut = cli(['replay', '--journal', dir], snapshotLines);
        expect(books(recoveredOut)).toEqual(books(freshOut));
        expect(books(recoveredOut).length).toBe(SYMBOLS.length);
      }
      expect(before).toBeGreaterThan(0);
    },
  );
});
