/**
 * `crossbook chaos`: the seed's chaos test in every concurrency mode (1000 asks of 100, then
 * 10,000 concurrent bids of 10), audited from the events. Exits 1 if any mode other than `racy`
 * over-executes or breaks conservation; `racy` is the seed's failing design, kept to prove the
 * test catches over-execution, and is expected to fail.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { MODES, RACY_LABEL, runChaos, type Mode } from '../../runtime/index.js';

interface ChaosCliOptions {
  json?: string;
  modes?: string;
  shards?: string;
  threads?: string;
}

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('Run the seed chaos test in every concurrency mode; fails on over-execution')
    .option('--json <file>', 'write {"modes":[...]} results to FILE')
    .option('--modes <list>', `comma-separated modes (default: ${MODES.join(',')})`)
    .option('--shards <n>', 'shard threads for sharded mode')
    .option('--threads <n>', 'matching threads for lockfree mode')
    .action(async (opts: ChaosCliOptions) => {
      const modes = (opts.modes?.split(',').map((s) => s.trim()) ?? [...MODES]) as Mode[];
      const bad = modes.filter((m) => !MODES.includes(m));
      if (bad.length > 0) {
        console.error(`Unknown mode(s) ${bad.join(', ')}: expected ${MODES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const shards = parseCount(opts.shards, '--shards');
      const threads = parseCount(opts.threads, '--threads');
      if (shards === null || threads === null) {
        process.exitCode = 2;
        return;
      }
      const bar = new cliProgress.SingleBar(
        { format: 'chaos [{bar}] {value}/{total} modes | {mode}', clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      if (process.stderr.isTTY) bar.start(modes.length, 0, { mode: modes[0] });
      const report = await runChaos({
        modes,
        engine: { shards, lockfree: threads === undefined ? undefined : { threads } },
        onMode: (r) => {
          const next = modes[modes.indexOf(r.mode) + 1] ?? 'done';
          if (process.stderr.isTTY) bar.increment(1, { mode: next });
        },
      });
      if (process.stderr.isTTY) bar.stop();
      console.log(formatTable(report.modes));
      if (modes.includes('racy')) console.log(`\n* ${RACY_LABEL}.`);
      const json = {
        modes: report.modes.map((r) => ({
          mode: r.mode,
          orders: r.orders,
          filled: r.filled,
          liquidity: r.liquidity,
          overExecution: r.overExecution,
          conserved: r.conserved,
          ordersPerSec: r.ordersPerSec,
        })),
      };
      if (opts.json) writeFileSync(opts.json, JSON.stringify(json, null, 2) + '\n');
      if (!report.ok) {
        const failed = report.modes.filter(
          (r) => r.mode !== 'racy' && (r.overExecution > 0 || !r.conserved || r.crossed),
        );
        console.error(
          `FAIL: over-execution or broken conservation in ${failed.map((r) => r.mode)}`,
        );
        process.exitCode = 1;
      } else if (report.racyCaught === false) {
        console.log('note: racy did not over-execute this time (the race was not hit)');
      }
    });
}

function parseCount(text: string | undefined, name: string): number | undefined | null {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    console.error(`${name} must be a whole number in [1, 256], got ${text}`);
    return null;
  }
  return n;
}

function formatTable(
  rows: {
    mode: Mode;
    orders: number;
    filled: number;
    liquidity: number;
    overExecution: number;
    conserved: boolean;
    ordersPerSec: number;
  }[],
): string {
  const head = ['mode', 'orders', 'filled', 'liquidity', 'overExecution', 'conserved', 'orders/s'];
  const body = rows.map((r) => [
    r.mode === 'racy' ? 'racy*' : r.mode,
    String(r.orders),
    String(r.filled),
    String(r.liquidity),
    String(r.overExecution),
    r.conserved ? 'yes' : 'NO',
    String(r.ordersPerSec),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
