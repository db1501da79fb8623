import type { Command } from 'commander';
import { runBench } from '../../../bench/index.js';

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
        cluster?: boolean;
      }) => {
        if (opts.cluster) {
          const { runClusterBench } = await import('../../cluster/bench.js');
          await runClusterBench({ seconds: opts.quick ? 2 : 5 });
          return;
        }
        await runBench({
          workload: opts.workload,
          json: opts.json,
          engines: opts.engines?.split(',').map((s) => s.trim()),
          quick: opts.quick,
          noMemory: !opts.memory,
          modes: opts.modes,
          journal: opts.journal,
        });
      },
    );
}
