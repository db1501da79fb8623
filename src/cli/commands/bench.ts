/**
 * `crossbook bench`. The benchmarks (bench/) compare crossbook with the dev-only npm package
 * `nodejs-order-book`, so they are loaded with a dynamic import() only when this command runs:
 * every other command, `serve` included, works after `npm ci --omit=dev`.
 */
import type { Command } from 'commander';

type BenchModule = typeof import('../../../bench/index.js');

/** Loads bench/ (and through it the dev dependencies), or explains what to install. */
export async function loadBench(): Promise<BenchModule> {
  try {
    return await import('../../../bench/index.js');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    const what = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new Error(
      'crossbook bench needs the benchmarks (bench/) and the development dependencies ' +
        '(nodejs-order-book, the peer it is compared with), which a production install leaves out: ' +
        'run it from a clone of the repository after `npm ci` (not --omit=dev). ' +
        `(${what})`,
    );
  }
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Benchmark crossbook against its reference book and nodejs-order-book (see docs/benchmarks.md)',
    )
    .option(
      '--workload <name>',
      'run one workload: exchange-core-mix | deep-book | sweep | lobster (default: all)',
    )
    .option('--json <file>', 'also write the results as JSON')
    .option('--engines <list>', 'comma-separated engines (crossbook,crossbook-reference,...)')
    .option('--quick', 'small workloads, fewer repetitions (a smoke run)')
    .option('--no-memory', 'skip the memory-per-resting-order probe')
    .option('--modes', 'also run the concurrency-modes benchmark (bench/modes)')
    .option('--journal', 'also run the journal benchmark (bench/journal)')
    .option(
      '--profile <dir>',
      'write a CPU profile of the timed part of each engine on each workload into DIR',
    )
    .option('--cluster', 'run the cluster benchmark instead (NATS JetStream; docs/distributed.md)')
    .action(
      async (opts: {
        workload?: string;
        json?: string;
        engines?: string;
        quick?: boolean;
        memory: boolean;
        modes?: boolean;
        journal?: boolean;
        profile?: string;
        cluster?: boolean;
      }) => {
        if (opts.cluster) {
          const { runClusterBench } = await import('../../cluster/index.js');
          await runClusterBench({ seconds: opts.quick ? 2 : 5 });
          return;
        }
        const { runBench } = await loadBench();
        await runBench({
          workload: opts.workload,
          json: opts.json,
          engines: opts.engines?.split(',').map((s) => s.trim()),
          quick: opts.quick,
          noMemory: !opts.memory,
          modes: opts.modes,
          journal: opts.journal,
          profile: opts.profile,
        });
      },
    );
}
